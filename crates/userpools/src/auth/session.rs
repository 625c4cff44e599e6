//! Challenge sessions: the `Session` string of an auth challenge is the sealed state of the
//! sign-in in progress, so any node can continue it. It expires with the client's
//! AuthSessionValidity and is single-use: its nonce is recorded when it is answered.
//!
//! For PASSWORD_VERIFIER the SRP session key is derived when the challenge is issued and
//! sealed here, so the answer costs one HMAC and the session stays small; the same state is
//! sealed into the SECRET_BLOCK, which every client sends back (pycognito sends no Session).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cognitod_model::{Error, ErrorCode};
use serde::{Deserialize, Serialize};

use crate::service::UserPools;
use crate::shared::errors;

const AAD: &[u8] = b"cognitod:auth-session:v1";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct AuthSession {
    /// The challenge this session answers (`PASSWORD_VERIFIER`, `NEW_PASSWORD_REQUIRED`).
    pub challenge: String,
    pub pool_id: String,
    pub client_id: String,
    /// The internal username (USER_ID_FOR_SRP).
    pub username: String,
    /// Set for the simulated challenge of an unknown user: it can only fail. Always
    /// serialised as one digit, so a sealed session is exactly as long for unknown users as
    /// for known ones (`true` and `false` differ in length).
    #[serde(default, with = "one_digit")]
    pub fake: bool,
    /// The SRP session key K (hex).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub srp_key: Option<String>,
    /// When the sign-in that this session continues started (epoch ms).
    pub auth_time: i64,
    pub expires_at: i64,
    pub nonce: String,
}

/// A flag as `0` or `1`.
mod one_digit {
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(flag: &bool, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u8(u8::from(*flag))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<bool, D::Error> {
        Ok(u8::deserialize(deserializer)? != 0)
    }
}

impl AuthSession {
    pub(crate) fn new(
        challenge: &str,
        pool_id: &str,
        client_id: &str,
        username: &str,
        now: i64,
        lifetime_ms: i64,
    ) -> Self {
        Self {
            challenge: challenge.to_string(),
            pool_id: pool_id.to_string(),
            client_id: client_id.to_string(),
            username: username.to_string(),
            fake: false,
            srp_key: None,
            auth_time: now,
            expires_at: now + lifetime_ms,
            nonce: URL_SAFE_NO_PAD.encode(cognitod_crypto::srp::random_private()),
        }
    }

    pub(crate) fn seal(&self, svc: &UserPools) -> Result<String, Error> {
        let json = serde_json::to_vec(self).map_err(errors::internal)?;
        Ok(svc.master_key.seal_to_string(&json, AAD))
    }

    /// The sealed state as raw bytes (PASSWORD_VERIFIER's SECRET_BLOCK carries it, because
    /// some clients answer that challenge without the Session).
    pub(crate) fn seal_bytes(&self, svc: &UserPools) -> Result<Vec<u8>, Error> {
        let json = serde_json::to_vec(self).map_err(errors::internal)?;
        Ok(svc.master_key.seal(&json, SECRET_BLOCK_AAD))
    }
}

const SECRET_BLOCK_AAD: &[u8] = b"cognitod:srp-secret-block:v1";

/// Opens the state sealed in a SECRET_BLOCK (see [`AuthSession::seal_bytes`]).
pub(crate) fn open_secret_block(svc: &UserPools, block: &[u8]) -> Result<AuthSession, Error> {
    let plain = svc
        .master_key
        .open(block, SECRET_BLOCK_AAD)
        .map_err(|_| invalid_session())?;
    serde_json::from_slice(&plain).map_err(|_| invalid_session())
}

pub(crate) fn invalid_session() -> Error {
    Error::new(
        ErrorCode::NotAuthorizedException,
        "Invalid session for the user, session is expired.",
    )
}

/// Opens a session given back by a client for `client_id` and `challenge`, and consumes it.
pub(crate) async fn redeem(
    svc: &UserPools,
    sealed: Option<&str>,
    client_id: &str,
    challenge: &str,
) -> Result<AuthSession, Error> {
    let sealed =
        sealed.ok_or_else(|| errors::invalid_parameter("Missing required parameter Session"))?;
    let session = open_session(svc, sealed)?;
    consume(svc, session, client_id, challenge).await
}

/// Opens a Session string without consuming it.
pub(crate) fn open_session(svc: &UserPools, sealed: &str) -> Result<AuthSession, Error> {
    let plain = svc
        .master_key
        .open_str(sealed, AAD)
        .map_err(|_| invalid_session())?;
    serde_json::from_slice(&plain).map_err(|_| invalid_session())
}

/// Checks an opened session against the call answering it, and consumes it.
pub(crate) async fn consume(
    svc: &UserPools,
    session: AuthSession,
    client_id: &str,
    challenge: &str,
) -> Result<AuthSession, Error> {
    let now = svc.now();
    if session.client_id != client_id || session.challenge != challenge || now > session.expires_at
    {
        return Err(invalid_session());
    }
    let first_use = svc
        .store
        .consume_session_nonce(&session.nonce, session.expires_at, now)
        .await
        .map_err(errors::store)?;
    if !first_use {
        return Err(Error::new(
            ErrorCode::NotAuthorizedException,
            "Invalid session for the user, session can only be used once.",
        ));
    }
    Ok(session)
}
