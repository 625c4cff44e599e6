//! The SRP verifier lifecycle. A verifier lets anyone who obtains it mount an offline guess at
//! the password, so a pool keeps one only while SRP sign-in is possible there: while some app
//! client allows USER_SRP_AUTH, or while the pool has no client yet (a new client allows SRP
//! by default, and scripts commonly create users first). When the last client that allows SRP
//! goes, every verifier of the pool is dropped in one statement; once SRP is possible again,
//! verifiers come back as users set passwords or sign in with one.

use cognitod_model::Error;
use cognitod_model::idp::UserPoolClientType;
use cognitod_store::UserRecord;

use crate::auth::app_client::{Flow, client_allows};
use crate::service::UserPools;
use crate::shared::credentials::{Credentials, SrpVerifier};
use crate::shared::errors;

/// The member of the credentials JSON that holds the verifier.
const MEMBER: &str = "srp";

/// Whether a password set in `pool_id` now should leave an SRP verifier.
pub(crate) async fn srp_possible(svc: &UserPools, pool_id: &str) -> Result<bool, Error> {
    let mut after: Option<String> = None;
    let mut has_clients = false;
    loop {
        let (records, next) = svc
            .store
            .list_clients(pool_id, after.as_deref(), 60)
            .await
            .map_err(errors::store)?;
        for record in records {
            has_clients = true;
            let client: UserPoolClientType =
                serde_json::from_value(record.config).map_err(errors::internal)?;
            if client_allows(&client, Flow::UserSrp) {
                return Ok(true);
            }
        }
        match next {
            Some(token) => after = Some(token),
            None => return Ok(!has_clients),
        }
    }
}

/// After a client was changed or deleted: drops the pool's verifiers if no client allows SRP.
pub(crate) async fn after_client_change(svc: &UserPools, pool_id: &str) -> Result<(), Error> {
    if srp_possible(svc, pool_id).await? {
        return Ok(());
    }
    let dropped = svc
        .store
        .remove_credentials_member(pool_id, MEMBER)
        .await
        .map_err(errors::store)?;
    if dropped > 0 {
        tracing::info!(
            pool_id,
            dropped,
            "no app client allows SRP: verifiers dropped"
        );
    }
    Ok(())
}

/// After a successful password sign-in: gives a user without a verifier one, if SRP is
/// possible in the pool (the password is at hand only now).
pub(crate) async fn backfill(
    svc: &UserPools,
    mut user: UserRecord,
    password: &str,
) -> Result<UserRecord, Error> {
    let mut credentials = Credentials::from_json(&user.credentials)?;
    if credentials.srp.is_some() || !srp_possible(svc, &user.pool_id).await? {
        return Ok(user);
    }
    let verifier = verifier_of(&user.pool_id, &user.username, password).await?;
    credentials.srp = Some(verifier);
    user.credentials = credentials.to_json()?;
    crate::shared::lookup::save_user(svc, &mut user).await?;
    Ok(user)
}

/// The SRP verifier of a password, computed on the hashing pool.
pub(crate) async fn verifier_of(
    pool_id: &str,
    username: &str,
    password: &str,
) -> Result<SrpVerifier, Error> {
    let pool_name = crate::shared::identity::srp_pool_name(pool_id).to_string();
    let username = username.to_string();
    let password = password.to_string();
    crate::auth::hashing_pool::run(move || srp_verifier(&pool_name, &username, &password)).await
}

pub(crate) fn srp_verifier(pool_name: &str, username: &str, password: &str) -> SrpVerifier {
    let salt = cognitod_crypto::srp::random_salt();
    let verifier = cognitod_crypto::srp::verifier(pool_name, username, password, &salt);
    SrpVerifier {
        salt: hex::encode(salt),
        verifier: hex::encode(verifier),
    }
}
