//! The store's capabilities, one trait each, bundled as [`Store`].

use async_trait::async_trait;

use crate::records::*;

#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("username exists")]
    UsernameExists,
    #[error("sub exists")]
    SubExists,
    #[error("alias exists: {kind}")]
    AliasExists { kind: String },
    #[error("conflict: {0}")]
    Conflict(String),
    /// The record changed since it was read (another request updated it first).
    #[error("changed since it was read")]
    Stale,
    #[error("invalid pagination token")]
    InvalidToken,
    #[error("storage backend: {0}")]
    Backend(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// A page of results and the token for the next one.
pub type Page<T> = (Vec<T>, Option<String>);

#[async_trait]
pub trait PoolStore: Send + Sync {
    async fn create_pool(&self, pool: &PoolRecord) -> StoreResult<()>;
    async fn get_pool(&self, id: &str) -> StoreResult<Option<PoolRecord>>;
    async fn update_pool(&self, pool: &PoolRecord) -> StoreResult<()>;
    /// Deletes the pool and everything in it.
    async fn delete_pool(&self, id: &str) -> StoreResult<()>;
    async fn list_pools(&self, after: Option<&str>, limit: u32) -> StoreResult<Page<PoolRecord>>;
}

#[async_trait]
pub trait ClientStore: Send + Sync {
    async fn create_client(&self, client: &ClientRecord) -> StoreResult<()>;
    async fn get_client(&self, pool_id: &str, client_id: &str)
    -> StoreResult<Option<ClientRecord>>;
    /// A client by its id alone (client ids are unique across pools).
    async fn find_client(&self, client_id: &str) -> StoreResult<Option<ClientRecord>>;
    async fn update_client(&self, client: &ClientRecord) -> StoreResult<()>;
    async fn delete_client(&self, pool_id: &str, client_id: &str) -> StoreResult<()>;
    async fn list_clients(
        &self,
        pool_id: &str,
        after: Option<&str>,
        limit: u32,
    ) -> StoreResult<Page<ClientRecord>>;
    async fn count_clients(&self, pool_id: &str) -> StoreResult<u64>;
    async fn add_client_secret(&self, secret: &ClientSecretRecord) -> StoreResult<()>;
    async fn list_client_secrets(
        &self,
        pool_id: &str,
        client_id: &str,
    ) -> StoreResult<Vec<ClientSecretRecord>>;
    async fn delete_client_secret(
        &self,
        pool_id: &str,
        client_id: &str,
        secret_id: &str,
    ) -> StoreResult<()>;
}

#[async_trait]
pub trait UserStore: Send + Sync {
    async fn create_user(&self, user: &UserRecord, aliases: &[AliasKey]) -> StoreResult<()>;
    async fn get_user(&self, pool_id: &str, username_key: &str) -> StoreResult<Option<UserRecord>>;
    async fn get_user_by_sub(&self, pool_id: &str, sub: &str) -> StoreResult<Option<UserRecord>>;
    /// The user with this `sub`, and whether a token of the refresh family `family_id` is
    /// revoked (access tokens carry their family as `origin_jti`): all that checking an
    /// access token reads, in one statement.
    async fn get_user_by_sub_checking_family(
        &self,
        pool_id: &str,
        sub: &str,
        family_id: &str,
    ) -> StoreResult<Option<(UserRecord, bool)>>;
    async fn get_user_by_alias(
        &self,
        pool_id: &str,
        kind: &str,
        key: &str,
    ) -> StoreResult<Option<UserRecord>>;
    /// Replaces the user's mutable state; with `Some(aliases)`, also its alias set. Only
    /// while the row still has `user.version` (else `Stale`, nothing written); returns the
    /// row's new version.
    async fn update_user(
        &self,
        user: &UserRecord,
        aliases: Option<&[AliasKey]>,
    ) -> StoreResult<i64>;
    async fn delete_user(&self, pool_id: &str, username_key: &str) -> StoreResult<()>;
    async fn list_users(&self, pool_id: &str, query: &UserQuery) -> StoreResult<Page<UserRecord>>;
    async fn count_users(&self, pool_id: &str) -> StoreResult<u64>;
    /// Inserts many users in one transaction (imports, benchmarks); all or nothing.
    async fn create_users_bulk(&self, users: &[(UserRecord, Vec<AliasKey>)]) -> StoreResult<()>;
    /// Removes the top-level member `key` from the credentials JSON of every user of the pool
    /// in one statement; returns how many users had it.
    async fn remove_credentials_member(&self, pool_id: &str, key: &str) -> StoreResult<u64>;
}

#[async_trait]
pub trait GroupStore: Send + Sync {
    async fn create_group(&self, group: &GroupRecord) -> StoreResult<()>;
    async fn get_group(&self, pool_id: &str, name: &str) -> StoreResult<Option<GroupRecord>>;
    async fn update_group(&self, group: &GroupRecord) -> StoreResult<()>;
    async fn delete_group(&self, pool_id: &str, name: &str) -> StoreResult<()>;
    async fn list_groups(
        &self,
        pool_id: &str,
        after: Option<&str>,
        limit: u32,
    ) -> StoreResult<Page<GroupRecord>>;
    async fn add_user_to_group(
        &self,
        pool_id: &str,
        username_key: &str,
        group: &str,
    ) -> StoreResult<()>;
    async fn remove_user_from_group(
        &self,
        pool_id: &str,
        username_key: &str,
        group: &str,
    ) -> StoreResult<()>;
    async fn list_groups_for_user(
        &self,
        pool_id: &str,
        username_key: &str,
        after: Option<&str>,
        limit: u32,
    ) -> StoreResult<Page<GroupRecord>>;
    async fn list_users_in_group(
        &self,
        pool_id: &str,
        group: &str,
        after: Option<&str>,
        limit: u32,
    ) -> StoreResult<Page<UserRecord>>;
    async fn count_groups_for_user(&self, pool_id: &str, username_key: &str) -> StoreResult<u64>;
}

#[async_trait]
pub trait OutboxStore: Send + Sync {
    async fn push(&self, message: &OutboxMessage) -> StoreResult<i64>;
    /// Oldest first.
    async fn list(
        &self,
        pool_id: Option<&str>,
        username: Option<&str>,
        after_id: Option<i64>,
        limit: u32,
    ) -> StoreResult<Vec<OutboxMessage>>;
}

#[async_trait]
pub trait AccessKeyStore: Send + Sync {
    async fn create_access_key(&self, key: &AccessKeyRecord) -> StoreResult<()>;
    async fn get_access_key(&self, access_key_id: &str) -> StoreResult<Option<AccessKeyRecord>>;
    async fn list_access_keys(&self) -> StoreResult<Vec<AccessKeyRecord>>;
    async fn delete_access_key(&self, access_key_id: &str) -> StoreResult<()>;
}

/// Everything a server needs from its database.
#[async_trait]
pub trait Store:
    PoolStore
    + ClientStore
    + UserStore
    + GroupStore
    + OutboxStore
    + AccessKeyStore
    + crate::SigningKeyStore
    + crate::RefreshTokenStore
    + crate::SessionStore
    + crate::SignInFailureStore
{
    /// Readiness: the database answers.
    async fn ping(&self) -> StoreResult<()>;
}
