//! Password secrets and checks: the argon2id hash and the SRP verifier a password leaves
//! behind, computed off the async threads on a bounded pool, and lockout after repeated
//! failures (held in the store, so every node agrees).

use std::sync::OnceLock;

use cognitod_model::{Error, ErrorCode};
use cognitod_store::UserRecord;

use crate::service::UserPools;
use crate::shared::credentials::{Credentials, SrpVerifier};
use crate::shared::errors;

/// Failures allowed before the lockout starts.
const FREE_FAILURES: u32 = 5;
/// The lockout doubles per failure up to this.
const MAX_LOCKOUT_MILLIS: i64 = 15 * 60 * 1000;
/// A quiet quarter of an hour forgets the failures.
const FAILURE_MEMORY_MILLIS: i64 = 15 * 60 * 1000;

async fn on_hashing_pool<T: Send + 'static>(
    job: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Error> {
    crate::auth::hashing_pool::run(job).await
}

/// Hash of a new password of `user` (whose username is the SRP user id), and its SRP verifier
/// when SRP sign-in is possible in the pool.
pub(crate) async fn secrets(
    svc: &UserPools,
    pool_id: &str,
    username: &str,
    password: &str,
) -> Result<(String, Option<SrpVerifier>), Error> {
    let with_srp = crate::auth::srp_verifiers::srp_possible(svc, pool_id).await?;
    let pool_name = crate::shared::identity::srp_pool_name(pool_id).to_string();
    let username = username.to_string();
    let password = password.to_string();
    on_hashing_pool(move || {
        let hash = cognitod_crypto::password::hash_password(&password);
        let srp = with_srp
            .then(|| crate::auth::srp_verifiers::srp_verifier(&pool_name, &username, &password));
        (hash, srp)
    })
    .await
}

/// Sets `password` as the user's password: hash, verifier, history and the temporary flag.
pub(crate) async fn apply(
    svc: &UserPools,
    user: &mut UserRecord,
    credentials: &mut Credentials,
    password: &str,
    history: usize,
    temporary_at: Option<i64>,
) -> Result<(), Error> {
    let (hash, verifier) = secrets(svc, &user.pool_id, &user.username, password).await?;
    credentials.remember_password(user.password_hash.take(), history);
    credentials.password_changed(temporary_at);
    credentials.srp = verifier;
    user.password_hash = Some(hash);
    Ok(())
}

/// Checks a password in constant time; without a user (unknown username), spends the same
/// time on a dummy hash so timing does not tell users apart.
pub(crate) async fn verify(user: Option<&UserRecord>, password: &str) -> Result<bool, Error> {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let hash = match user.and_then(|u| u.password_hash.clone()) {
        Some(hash) => hash,
        None => {
            let dummy = DUMMY.get_or_init(|| {
                cognitod_crypto::password::hash_password("cognitod dummy password")
            });
            let password = password.to_string();
            let dummy = dummy.clone();
            on_hashing_pool(move || cognitod_crypto::password::verify_password(&password, &dummy))
                .await?;
            return Ok(false);
        }
    };
    let password = password.to_string();
    on_hashing_pool(move || cognitod_crypto::password::verify_password(&password, &hash)).await
}

fn attempts_exceeded() -> Error {
    Error::new(
        ErrorCode::NotAuthorizedException,
        "Password attempts exceeded",
    )
}

/// Fails while the user is locked out: after 5 failures, 2^(n-5) seconds (n failures),
/// capped at 15 minutes. Attempts during a lockout do not extend it.
pub(crate) async fn check_lockout(svc: &UserPools, user: &UserRecord) -> Result<(), Error> {
    check_lockout_of(svc, &user.pool_id, &user.username_key).await
}

/// [`check_lockout`] by username key: also for names no user has, so that under
/// PreventUserExistenceErrors an unknown name locks out exactly like a known one.
pub(crate) async fn check_lockout_of(
    svc: &UserPools,
    pool_id: &str,
    username_key: &str,
) -> Result<(), Error> {
    let Some(failures) = svc
        .store
        .get_sign_in_failures(pool_id, username_key)
        .await
        .map_err(errors::store)?
    else {
        return Ok(());
    };
    let now = svc.now();
    if failures.count < FREE_FAILURES || now - failures.last_failure_at > FAILURE_MEMORY_MILLIS {
        return Ok(());
    }
    let exponent = (failures.count - FREE_FAILURES).min(20);
    let lockout = (1000_i64 << exponent).min(MAX_LOCKOUT_MILLIS);
    if now < failures.last_failure_at + lockout {
        return Err(attempts_exceeded());
    }
    Ok(())
}

pub(crate) async fn record_failure(svc: &UserPools, user: &UserRecord) -> Result<(), Error> {
    record_failure_of(svc, &user.pool_id, &user.username_key).await
}

pub(crate) async fn record_failure_of(
    svc: &UserPools,
    pool_id: &str,
    username_key: &str,
) -> Result<(), Error> {
    svc.store
        .record_sign_in_failure(pool_id, username_key, svc.now(), FAILURE_MEMORY_MILLIS)
        .await
        .map_err(errors::store)?;
    Ok(())
}

pub(crate) async fn record_success(svc: &UserPools, user: &UserRecord) -> Result<(), Error> {
    svc.store
        .clear_sign_in_failures(&user.pool_id, &user.username_key)
        .await
        .map_err(errors::store)
}
