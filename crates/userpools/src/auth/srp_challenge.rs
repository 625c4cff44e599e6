//! USER_SRP_AUTH: the PASSWORD_VERIFIER challenge and its answer (BEHAVIOR.md §3).
//!
//! The server's SRP step runs when the challenge is issued; the derived key K is sealed in
//! the session, so the answer is one HMAC. Unknown users under PreventUserExistenceErrors get
//! a challenge of the same shape (deterministic salt, stable USER_ID_FOR_SRP) that can only
//! fail.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use cognitod_crypto::srp;
use cognitod_model::Error;
use cognitod_model::idp::*;

use crate::auth::app_client::{AppClient, Flow};
use crate::auth::guards::{check_enabled, incorrect_credentials, required, unknown_user};
use crate::auth::outcome::{Outcome, after_password};
use crate::auth::passwords;
use crate::auth::session::{self, AuthSession};
use crate::service::UserPools;
use crate::shared::credentials::Credentials;
use crate::shared::errors;
use crate::shared::lookup::find_user;

const CHALLENGE: &str = "PASSWORD_VERIFIER";
/// How far a client's TIMESTAMP may be from the server's clock.
const TIMESTAMP_TOLERANCE_SECS: i64 = 5 * 60;

pub(crate) async fn start(
    svc: &UserPools,
    app: &AppClient,
    params: &AuthParametersType,
) -> Result<Outcome, Error> {
    app.require(Flow::UserSrp, "USER_SRP_AUTH")?;
    let username = required(params, "USERNAME")?;
    let srp_a = required(params, "SRP_A")?;
    app.check_secret_hash(&username, params.get("SECRET_HASH").map(String::as_str))?;
    let a = srp::parse_public_a(&srp_a)
        .map_err(|_| errors::invalid_parameter("Invalid SRP_A value."))?;
    let user = find_user(svc, &app.pool_id, &app.identity, &username).await?;
    let now = svc.now();
    let b = srp::random_private();

    let (user_id, salt, verifier, fake) = match &user {
        Some(user) => {
            check_enabled(user)?;
            passwords::check_lockout(svc, user).await?;
            let stored = Credentials::from_json(&user.credentials)?.srp;
            match stored {
                Some(srp) => (
                    user.username.clone(),
                    hex::decode(&srp.salt).map_err(errors::internal)?,
                    hex::decode(&srp.verifier).map_err(errors::internal)?,
                    false,
                ),
                // No verifier (a password set before SRP was allowed): the answer fails.
                None => fake_identity(svc, app, &username, true),
            }
        }
        None if app.hides_users() => {
            let fake = fake_identity(svc, app, &username, false);
            // Keyed as the answer will count its failure.
            let key = app.identity.username_key(&fake.0);
            passwords::check_lockout_of(svc, &app.pool_id, &key).await?;
            fake
        }
        None => return Err(unknown_user(app)),
    };

    let b_pub = srp::public_b(&verifier, &b);
    let key = srp::session_key(&a, &b_pub, &b, &verifier)
        .map_err(|_| errors::invalid_parameter("Invalid SRP_A value."))?;
    let mut session = AuthSession::new(
        CHALLENGE,
        &app.pool_id,
        app.client_id(),
        &user_id,
        now,
        app.session_millis(),
    );
    session.fake = fake;
    session.srp_key = Some(hex::encode(key));
    let secret_block = STANDARD.encode(session.seal_bytes(svc)?);

    let mut parameters = ChallengeParametersType::new();
    parameters.insert("SALT".into(), srp::pad_hex(&salt));
    parameters.insert("SRP_B".into(), srp::to_hex(&b_pub));
    parameters.insert("SECRET_BLOCK".into(), secret_block);
    parameters.insert("USER_ID_FOR_SRP".into(), user_id.clone());
    parameters.insert("USERNAME".into(), user_id);
    Ok(Outcome::Challenge {
        name: ChallengeNameType::PasswordVerifier,
        session: session.seal(svc)?,
        parameters,
    })
}

/// The challenge identity of a user that does not exist (or has no verifier): stable per
/// (pool, username), unknowable without the master key.
fn fake_identity(
    svc: &UserPools,
    app: &AppClient,
    username: &str,
    known: bool,
) -> (String, Vec<u8>, Vec<u8>, bool) {
    let seed = svc
        .master_key
        .derive(format!("fake-srp:{}", app.pool_id).as_bytes());
    let salt = srp::fake_salt(&seed, username).to_vec();
    let user_id = if known || !app.identity.uses_username_attributes() {
        username.to_string()
    } else {
        let id_bytes = svc
            .master_key
            .derive(format!("fake-user-id:{}:{username}", app.pool_id).as_bytes());
        uuid::Builder::from_random_bytes(id_bytes[..16].try_into().expect("16 bytes"))
            .into_uuid()
            .to_string()
    };
    // Any verifier works: the session is marked fake and its answer always fails. It costs
    // what reading a stored one costs, so unknown users take a known user's time.
    let verifier = srp::fake_verifier(&seed, username);
    (user_id, salt, verifier, true)
}

/// RespondToAuthChallenge with PASSWORD_VERIFIER.
pub(crate) async fn answer(
    svc: &UserPools,
    app: &AppClient,
    responses: &ChallengeResponsesType,
    sealed: Option<&str>,
) -> Result<Outcome, Error> {
    let username = required(responses, "USERNAME")?;
    app.check_secret_hash(&username, responses.get("SECRET_HASH").map(String::as_str))?;
    let secret_block = required(responses, "PASSWORD_CLAIM_SECRET_BLOCK")?;
    let signature = required(responses, "PASSWORD_CLAIM_SIGNATURE")?;
    let timestamp = required(responses, "TIMESTAMP")?;
    // The state travels in the SECRET_BLOCK; a Session, when sent, must be the same one.
    let block = STANDARD
        .decode(&secret_block)
        .map_err(|_| incorrect_credentials())?;
    let state = session::open_secret_block(svc, &block)?;
    if let Some(sealed) = sealed {
        let from_session = session::open_session(svc, sealed)?;
        if from_session.nonce != state.nonce {
            return Err(session::invalid_session());
        }
    }
    let session = session::consume(svc, state, app.client_id(), CHALLENGE).await?;
    let when = srp::parse_timestamp(&timestamp)
        .ok_or_else(|| errors::invalid_parameter("TIMESTAMP format is invalid."))?;
    if (when - svc.now() / 1000).abs() > TIMESTAMP_TOLERANCE_SECS {
        return Err(incorrect_credentials());
    }
    if session.fake {
        // Counted like a wrong password, so unknown names lock out as known ones do.
        let key = app.identity.username_key(&session.username);
        passwords::check_lockout_of(svc, &app.pool_id, &key).await?;
        passwords::record_failure_of(svc, &app.pool_id, &key).await?;
        return Err(incorrect_credentials());
    }
    let user = svc
        .store
        .get_user(&app.pool_id, &app.identity.username_key(&session.username))
        .await
        .map_err(errors::store)?
        .ok_or_else(incorrect_credentials)?;
    check_enabled(&user)?;
    passwords::check_lockout(svc, &user).await?;
    let key: Option<[u8; 16]> = session
        .srp_key
        .as_deref()
        .and_then(|k| hex::decode(k).ok())
        .and_then(|k| k.try_into().ok());
    let proof_ok = key.is_some_and(|key| {
        srp::verify_claim(
            &key,
            app.srp_pool_name(),
            &session.username,
            &block,
            &timestamp,
            &signature,
        )
    });
    if !proof_ok {
        passwords::record_failure(svc, &user).await?;
        return Err(incorrect_credentials());
    }
    passwords::record_success(svc, &user).await?;
    after_password(svc, app, user, session.auth_time).await
}
