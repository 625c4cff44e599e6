//! What sign-in needs from the store: signing keys, refresh tokens, single-use challenge
//! sessions and failed-sign-in counters. Every call is atomic, so many nodes on one database
//! agree (a refresh token rotates once, a session is consumed once, no failure is lost).

use async_trait::async_trait;

use crate::StoreResult;

/// An RSA signing key of a pool. The private half is sealed with the master key.
#[derive(Debug, Clone, PartialEq)]
pub struct SigningKeyRecord {
    pub pool_id: String,
    /// Unique per pool; published in the JWKS.
    pub kid: String,
    /// `id` or `access`: Cognito signs each token kind with its own key.
    pub token_use: String,
    /// `active` (signs new tokens), `next` (published ahead of its rotation, so verifiers
    /// already hold it when it starts signing) or `retired` (still published until
    /// `publish_until`).
    pub state: String,
    /// The PKCS#8 DER private key, sealed.
    pub sealed_private_key: String,
    /// The public key as a JWK (`kty`, `n`, `e`, ...), as published.
    pub public_jwk: serde_json::Value,
    pub created_at: i64,
    /// For retired keys: epoch ms after which the key leaves the JWKS.
    pub publish_until: Option<i64>,
}

#[async_trait]
pub trait SigningKeyStore: Send + Sync {
    /// Inserts the first keys of a pool (active, and possibly next). When the pool already has an active key of
    /// one of these token uses (another node won the race), nothing is inserted and the call
    /// returns `Ok(false)`.
    async fn create_initial_signing_keys(&self, keys: &[SigningKeyRecord]) -> StoreResult<bool>;
    /// Every key of the pool, active and retired, oldest first.
    async fn list_signing_keys(&self, pool_id: &str) -> StoreResult<Vec<SigningKeyRecord>>;
    /// In one transaction: the pool's active keys become `retired` with `publish_until`, its
    /// `next` keys become `active`, and `new_keys` are inserted: the `next` ones always, an
    /// `active` one only where no `next` key was promoted for its token use. Retired keys past
    /// their `publish_until` at `now` are deleted.
    async fn rotate_signing_keys(
        &self,
        pool_id: &str,
        new_keys: &[SigningKeyRecord],
        publish_until: i64,
        now: i64,
    ) -> StoreResult<()>;
}

/// A refresh token, kept only as the SHA-256 digest of the token string.
#[derive(Debug, Clone, PartialEq)]
pub struct RefreshTokenRecord {
    /// Lowercase hex SHA-256 of the token; unique.
    pub digest: String,
    pub pool_id: String,
    pub client_id: String,
    pub username_key: String,
    /// The family: the `origin_jti` of every access token minted from this token or from
    /// the tokens it was rotated into.
    pub family_id: String,
    pub device_key: Option<String>,
    /// The time of the sign-in that started the family (epoch ms), kept across refreshes.
    pub auth_time: i64,
    pub created_at: i64,
    pub expires_at: i64,
    /// When the family was revoked (RevokeToken, GlobalSignOut, user deletion).
    pub revoked_at: Option<i64>,
    /// When rotation replaced this token; it stays usable for the client's grace period.
    pub replaced_at: Option<i64>,
}

#[async_trait]
pub trait RefreshTokenStore: Send + Sync {
    async fn insert_refresh_token(&self, token: &RefreshTokenRecord) -> StoreResult<()>;
    async fn get_refresh_token(&self, digest: &str) -> StoreResult<Option<RefreshTokenRecord>>;
    /// Every token of the user (live, revoked or expired), oldest first.
    async fn list_user_refresh_tokens(
        &self,
        pool_id: &str,
        username_key: &str,
    ) -> StoreResult<Vec<RefreshTokenRecord>>;
    /// Sets `replaced_at` if it is not set yet; `Ok(false)` when another call set it first.
    async fn mark_refresh_token_replaced(&self, digest: &str, at: i64) -> StoreResult<bool>;
    /// Revokes every token of the family that is not revoked yet; returns how many.
    async fn revoke_refresh_family(
        &self,
        pool_id: &str,
        family_id: &str,
        at: i64,
    ) -> StoreResult<u64>;
    /// Revokes every token of the user that is not revoked yet; returns how many.
    async fn revoke_user_refresh_tokens(
        &self,
        pool_id: &str,
        username_key: &str,
        at: i64,
    ) -> StoreResult<u64>;
    /// Whether any token of the family is revoked (access tokens carry the family id as
    /// `origin_jti`).
    async fn is_refresh_family_revoked(&self, pool_id: &str, family_id: &str) -> StoreResult<bool>;
    /// Deletes tokens that expired before `now`; returns how many.
    async fn delete_expired_refresh_tokens(&self, now: i64) -> StoreResult<u64>;
}

#[async_trait]
pub trait SessionStore: Send + Sync {
    /// Records a challenge session's nonce. `Ok(true)` the first time, `Ok(false)` when it
    /// was already consumed. Nonces expired before `now` may be purged by the same call.
    async fn consume_session_nonce(
        &self,
        nonce: &str,
        expires_at: i64,
        now: i64,
    ) -> StoreResult<bool>;
}

/// Failed sign-ins of one user, for lockout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignInFailures {
    pub count: u32,
    pub last_failure_at: i64,
}

#[async_trait]
pub trait SignInFailureStore: Send + Sync {
    async fn get_sign_in_failures(
        &self,
        pool_id: &str,
        username_key: &str,
    ) -> StoreResult<Option<SignInFailures>>;
    /// Atomically adds one failure at `at` and returns the new state. When the last failure
    /// is older than `reset_after_ms`, the count restarts at 1.
    async fn record_sign_in_failure(
        &self,
        pool_id: &str,
        username_key: &str,
        at: i64,
        reset_after_ms: i64,
    ) -> StoreResult<SignInFailures>;
    async fn clear_sign_in_failures(&self, pool_id: &str, username_key: &str) -> StoreResult<()>;
    /// Deletes counters whose last failure is older than `before` (they would restart at 1
    /// anyway); returns how many.
    async fn delete_stale_sign_in_failures(&self, before: i64) -> StoreResult<u64>;
}
