//! The SQL implementation shared by the SQLite and PostgreSQL backends.
//!
//! Both engines accept the same statements (`$N` placeholders included), so the implementation
//! is written once and expanded for each backend's sqlx database type by [`sql_store!`]; only
//! migrations and connection setup differ per backend. Pagination is keyset-based, so a page
//! boundary never moves when rows are inserted concurrently.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::{StoreError, StoreResult};

/// Encodes keyset values as an opaque page token.
pub fn encode_token(kind: &str, keys: &[serde_json::Value]) -> String {
    let value = serde_json::json!({ "k": kind, "v": keys });
    URL_SAFE_NO_PAD.encode(value.to_string())
}

/// Decodes a token made by [`encode_token`] for the same kind of listing.
pub fn decode_token(kind: &str, token: &str) -> StoreResult<Vec<serde_json::Value>> {
    let bytes = URL_SAFE_NO_PAD
        .decode(token)
        .map_err(|_| StoreError::InvalidToken)?;
    let value: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|_| StoreError::InvalidToken)?;
    if value["k"] != kind {
        return Err(StoreError::InvalidToken);
    }
    value["v"]
        .as_array()
        .cloned()
        .ok_or(StoreError::InvalidToken)
}

pub fn token_str(keys: &[serde_json::Value], i: usize) -> StoreResult<String> {
    keys.get(i)
        .and_then(|v| v.as_str())
        .map(str::to_string)
        .ok_or(StoreError::InvalidToken)
}

pub fn token_i64(keys: &[serde_json::Value], i: usize) -> StoreResult<i64> {
    keys.get(i)
        .and_then(|v| v.as_i64())
        .ok_or(StoreError::InvalidToken)
}

/// The smallest string greater than every string starting with `prefix` (byte order).
pub fn prefix_upper_bound(prefix: &str) -> String {
    format!("{prefix}\u{10FFFF}")
}

pub fn backend(err: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(err.to_string())
}

pub fn to_json_text(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value).expect("in-memory values serialise")
}

pub fn from_json_text<T: serde::de::DeserializeOwned>(text: &str) -> StoreResult<T> {
    serde_json::from_str(text).map_err(backend)
}

/// Expands the store traits for `$store`, a struct with `fn writer(&self) -> &Pool<$db>` and
/// `async fn reader(&self) -> StoreResult<impl DerefMut<Target = <$db as Database>::Connection>>`
/// (one connection for one read statement).
#[macro_export]
macro_rules! sql_store {
    ($store:ty, $db:ty) => {
        mod sql_impl {
            use super::*;
            use ::async_trait::async_trait;
            use ::sqlx::Row as _;
            use $crate::sql::{
                backend, decode_token, encode_token, from_json_text, prefix_upper_bound,
                to_json_text, token_i64, token_str,
            };
            use $crate::*;

            type Db = $db;
            type DbRow = <Db as ::sqlx::Database>::Row;
            type Tx<'a> = ::sqlx::Transaction<'a, Db>;

            const USER_COLUMNS: &str = "u.id, u.pool_id, u.username, u.username_key, u.sub, u.status, \
                u.enabled, u.attributes, u.password_hash, u.credentials, u.created_at, u.updated_at, u.version";

            fn db_err(err: ::sqlx::Error) -> StoreError {
                backend(err)
            }

            /// Maps a unique violation to the error naming what was duplicated.
            fn unique_of(err: &::sqlx::Error) -> Option<String> {
                match err {
                    ::sqlx::Error::Database(e) if e.is_unique_violation() => Some(format!(
                        "{} {}",
                        e.constraint().unwrap_or(""),
                        e.message()
                    )),
                    _ => None,
                }
            }

            fn pool_from_row(row: &DbRow) -> StoreResult<PoolRecord> {
                Ok(PoolRecord {
                    id: row.try_get("id").map_err(db_err)?,
                    name: row.try_get("name").map_err(db_err)?,
                    config: from_json_text(&row.try_get::<String, _>("config").map_err(db_err)?)?,
                    created_at: row.try_get("created_at").map_err(db_err)?,
                    updated_at: row.try_get("updated_at").map_err(db_err)?,
                })
            }

            fn client_from_row(row: &DbRow) -> StoreResult<ClientRecord> {
                Ok(ClientRecord {
                    pool_id: row.try_get("pool_id").map_err(db_err)?,
                    client_id: row.try_get("client_id").map_err(db_err)?,
                    name: row.try_get("name").map_err(db_err)?,
                    config: from_json_text(&row.try_get::<String, _>("config").map_err(db_err)?)?,
                    created_at: row.try_get("created_at").map_err(db_err)?,
                    updated_at: row.try_get("updated_at").map_err(db_err)?,
                })
            }

            fn user_from_row(row: &DbRow) -> StoreResult<(i64, UserRecord)> {
                let id: i64 = row.try_get("id").map_err(db_err)?;
                let enabled: i64 = row.try_get("enabled").map_err(db_err)?;
                let user = UserRecord {
                    pool_id: row.try_get("pool_id").map_err(db_err)?,
                    username: row.try_get("username").map_err(db_err)?,
                    username_key: row.try_get("username_key").map_err(db_err)?,
                    sub: row.try_get("sub").map_err(db_err)?,
                    status: row.try_get("status").map_err(db_err)?,
                    enabled: enabled != 0,
                    attributes: from_json_text(
                        &row.try_get::<String, _>("attributes").map_err(db_err)?,
                    )?,
                    password_hash: row.try_get("password_hash").map_err(db_err)?,
                    credentials: from_json_text(
                        &row.try_get::<String, _>("credentials").map_err(db_err)?,
                    )?,
                    created_at: row.try_get("created_at").map_err(db_err)?,
                    updated_at: row.try_get("updated_at").map_err(db_err)?,
                    version: row.try_get("version").map_err(db_err)?,
                };
                Ok((id, user))
            }

            fn group_from_row(row: &DbRow) -> StoreResult<GroupRecord> {
                let precedence: Option<i64> = row.try_get("precedence").map_err(db_err)?;
                Ok(GroupRecord {
                    pool_id: row.try_get("pool_id").map_err(db_err)?,
                    name: row.try_get("name").map_err(db_err)?,
                    description: row.try_get("description").map_err(db_err)?,
                    role_arn: row.try_get("role_arn").map_err(db_err)?,
                    precedence: precedence.map(|p| p as i32),
                    created_at: row.try_get("created_at").map_err(db_err)?,
                    updated_at: row.try_get("updated_at").map_err(db_err)?,
                })
            }

            fn outbox_from_row(row: &DbRow) -> StoreResult<OutboxMessage> {
                Ok(OutboxMessage {
                    id: row.try_get("id").map_err(db_err)?,
                    pool_id: row.try_get("pool_id").map_err(db_err)?,
                    username: row.try_get("username").map_err(db_err)?,
                    medium: row.try_get("medium").map_err(db_err)?,
                    destination: row.try_get("destination").map_err(db_err)?,
                    kind: row.try_get("kind").map_err(db_err)?,
                    subject: row.try_get("subject").map_err(db_err)?,
                    body: row.try_get("body").map_err(db_err)?,
                    created_at: row.try_get("created_at").map_err(db_err)?,
                })
            }

            fn key_from_row(row: &DbRow) -> StoreResult<AccessKeyRecord> {
                Ok(AccessKeyRecord {
                    access_key_id: row.try_get("access_key_id").map_err(db_err)?,
                    sealed_secret: row.try_get("sealed_secret").map_err(db_err)?,
                    allowed_actions: from_json_text(
                        &row.try_get::<String, _>("allowed_actions").map_err(db_err)?,
                    )?,
                    pool_ids: from_json_text(&row.try_get::<String, _>("pool_ids").map_err(db_err)?)?,
                    description: row.try_get("description").map_err(db_err)?,
                    created_at: row.try_get("created_at").map_err(db_err)?,
                })
            }

            /// Splits `limit + 1` fetched rows into a page and whether more follow.
            fn paginate<T>(mut rows: Vec<T>, limit: u32) -> (Vec<T>, bool) {
                let more = rows.len() > limit as usize;
                rows.truncate(limit as usize);
                (rows, more)
            }

            async fn user_id(tx: &mut Tx<'_>, pool_id: &str, username_key: &str) -> StoreResult<Option<i64>> {
                let row = ::sqlx::query("SELECT id FROM users WHERE pool_id = $1 AND username_key = $2")
                    .bind(pool_id)
                    .bind(username_key)
                    .fetch_optional(&mut **tx)
                    .await
                    .map_err(db_err)?;
                row.map(|r| r.try_get::<i64, _>("id").map_err(db_err)).transpose()
            }

            async fn insert_user(tx: &mut Tx<'_>, user: &UserRecord, aliases: &[AliasKey]) -> StoreResult<()> {
                // A taken username is reported as such even when the sub collides too; the
                // unique indexes still decide races between concurrent transactions.
                if user_id(tx, &user.pool_id, &user.username_key).await?.is_some() {
                    return Err(StoreError::UsernameExists);
                }
                let inserted = ::sqlx::query(
                    "INSERT INTO users (pool_id, username, username_key, sub, status, enabled, attributes, \
                     password_hash, credentials, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
                )
                .bind(&user.pool_id)
                .bind(&user.username)
                .bind(&user.username_key)
                .bind(&user.sub)
                .bind(&user.status)
                .bind(user.enabled as i64)
                .bind(to_json_text(&user.attributes))
                .bind(&user.password_hash)
                .bind(to_json_text(&user.credentials))
                .bind(user.created_at)
                .bind(user.updated_at)
                .fetch_one(&mut **tx)
                .await;
                let id: i64 = match inserted {
                    Ok(row) => row.try_get("id").map_err(db_err)?,
                    Err(err) => {
                        return Err(match unique_of(&err) {
                            Some(c) if c.contains("username") => StoreError::UsernameExists,
                            Some(c) if c.contains("sub") => StoreError::SubExists,
                            _ => db_err(err),
                        });
                    }
                };
                insert_aliases(tx, &user.pool_id, id, aliases).await?;
                insert_search(tx, &user.pool_id, id, user).await
            }

            async fn insert_aliases(tx: &mut Tx<'_>, pool_id: &str, id: i64, aliases: &[AliasKey]) -> StoreResult<()> {
                for alias in aliases {
                    let result = ::sqlx::query(
                        "INSERT INTO user_aliases (pool_id, kind, alias_key, user_id) VALUES ($1, $2, $3, $4)",
                    )
                    .bind(pool_id)
                    .bind(&alias.kind)
                    .bind(&alias.key)
                    .bind(id)
                    .execute(&mut **tx)
                    .await;
                    if let Err(err) = result {
                        return Err(match unique_of(&err) {
                            Some(_) => StoreError::AliasExists { kind: alias.kind.clone() },
                            None => db_err(err),
                        });
                    }
                }
                Ok(())
            }

            async fn insert_search(tx: &mut Tx<'_>, pool_id: &str, id: i64, user: &UserRecord) -> StoreResult<()> {
                for (name, value) in user.search_entries() {
                    ::sqlx::query(
                        "INSERT INTO user_search (pool_id, name, value, value_folded, user_id) VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(pool_id)
                    .bind(&name)
                    .bind(&value)
                    .bind(value.to_lowercase())
                    .bind(id)
                    .execute(&mut **tx)
                    .await
                    .map_err(db_err)?;
                }
                Ok(())
            }

            async fn delete_user_rows(tx: &mut Tx<'_>, id: i64) -> StoreResult<()> {
                for table in ["user_aliases", "user_search", "group_members"] {
                    ::sqlx::query(&format!("DELETE FROM {table} WHERE user_id = $1"))
                        .bind(id)
                        .execute(&mut **tx)
                        .await
                        .map_err(db_err)?;
                }
                ::sqlx::query("DELETE FROM users WHERE id = $1").bind(id).execute(&mut **tx).await.map_err(db_err)?;
                Ok(())
            }

            async fn fetch_user(store: &$store, sql: &str, binds: &[&str]) -> StoreResult<Option<UserRecord>> {
                let mut query = ::sqlx::query(sql);
                for b in binds {
                    query = query.bind(*b);
                }
                let row = query.fetch_optional(&mut *store.reader().await?).await.map_err(db_err)?;
                row.map(|r| user_from_row(&r).map(|(_, u)| u)).transpose()
            }

            #[async_trait]
            impl PoolStore for $store {
                async fn create_pool(&self, pool: &PoolRecord) -> StoreResult<()> {
                    ::sqlx::query("INSERT INTO pools (id, name, config, created_at, updated_at) VALUES ($1, $2, $3, $4, $5)")
                        .bind(&pool.id)
                        .bind(&pool.name)
                        .bind(to_json_text(&pool.config))
                        .bind(pool.created_at)
                        .bind(pool.updated_at)
                        .execute(self.writer())
                        .await
                        .map_err(|e| match unique_of(&e) {
                            Some(c) => StoreError::Conflict(c),
                            None => db_err(e),
                        })?;
                    Ok(())
                }

                async fn get_pool(&self, id: &str) -> StoreResult<Option<PoolRecord>> {
                    let row = ::sqlx::query("SELECT * FROM pools WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&mut *self.reader().await?)
                        .await
                        .map_err(db_err)?;
                    row.map(|r| pool_from_row(&r)).transpose()
                }

                async fn update_pool(&self, pool: &PoolRecord) -> StoreResult<()> {
                    let done = ::sqlx::query("UPDATE pools SET name = $2, config = $3, updated_at = $4 WHERE id = $1")
                        .bind(&pool.id)
                        .bind(&pool.name)
                        .bind(to_json_text(&pool.config))
                        .bind(pool.updated_at)
                        .execute(self.writer())
                        .await
                        .map_err(db_err)?;
                    if done.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
                }

                async fn delete_pool(&self, id: &str) -> StoreResult<()> {
                    let mut tx = self.writer().begin().await.map_err(db_err)?;
                    for table in [
                        "user_aliases", "user_search", "group_members", "groups", "users",
                        "client_secrets", "clients", "outbox",
                        "signing_keys", "refresh_tokens", "sign_in_failures",
                    ] {
                        ::sqlx::query(&format!("DELETE FROM {table} WHERE pool_id = $1"))
                            .bind(id)
                            .execute(&mut *tx)
                            .await
                            .map_err(db_err)?;
                    }
                    let done = ::sqlx::query("DELETE FROM pools WHERE id = $1")
                        .bind(id)
                        .execute(&mut *tx)
                        .await
                        .map_err(db_err)?;
                    if done.rows_affected() == 0 {
                        return Err(StoreError::NotFound);
                    }
                    tx.commit().await.map_err(db_err)
                }

                async fn list_pools(&self, after: Option<&str>, limit: u32) -> StoreResult<Page<PoolRecord>> {
                    let after = match after {
                        Some(t) => token_str(&decode_token("pools", t)?, 0)?,
                        None => String::new(),
                    };
                    let rows = ::sqlx::query("SELECT * FROM pools WHERE id > $1 ORDER BY id LIMIT $2")
                        .bind(&after)
                        .bind(limit as i64 + 1)
                        .fetch_all(&mut *self.reader().await?)
                        .await
                        .map_err(db_err)?;
                    let pools = rows.iter().map(pool_from_row).collect::<StoreResult<Vec<_>>>()?;
                    let (pools, more) = paginate(pools, limit);
                    let next = more.then(|| encode_token("pools", &[pools.last().unwrap().id.clone().into()]));
                    Ok((pools, next))
                }
            }

            #[async_trait]
            impl ClientStore for $store {
                async fn create_client(&self, c: &ClientRecord) -> StoreResult<()> {
                    ::sqlx::query("INSERT INTO clients (pool_id, client_id, name, config, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6)")
                        .bind(&c.pool_id)
                        .bind(&c.client_id)
                        .bind(&c.name)
                        .bind(to_json_text(&c.config))
                        .bind(c.created_at)
                        .bind(c.updated_at)
                        .execute(self.writer())
                        .await
                        .map_err(|e| match unique_of(&e) {
                            Some(c) => StoreError::Conflict(c),
                            None => db_err(e),
                        })?;
                    Ok(())
                }

                async fn get_client(&self, pool_id: &str, client_id: &str) -> StoreResult<Option<ClientRecord>> {
                    let row = ::sqlx::query("SELECT * FROM clients WHERE pool_id = $1 AND client_id = $2")
                        .bind(pool_id)
                        .bind(client_id)
                        .fetch_optional(&mut *self.reader().await?)
                        .await
                        .map_err(db_err)?;
                    row.map(|r| client_from_row(&r)).transpose()
                }

                async fn find_client(&self, client_id: &str) -> StoreResult<Option<ClientRecord>> {
                    let row = ::sqlx::query("SELECT * FROM clients WHERE client_id = $1")
                        .bind(client_id)
                        .fetch_optional(&mut *self.reader().await?)
                        .await
                        .map_err(db_err)?;
                    row.map(|r| client_from_row(&r)).transpose()
                }

                async fn update_client(&self, c: &ClientRecord) -> StoreResult<()> {
                    let done = ::sqlx::query("UPDATE clients SET name = $3, config = $4, updated_at = $5 WHERE pool_id = $1 AND client_id = $2")
                        .bind(&c.pool_id)
                        .bind(&c.client_id)
                        .bind(&c.name)
                        .bind(to_json_text(&c.config))
                        .bind(c.updated_at)
                        .execute(self.writer())
                        .await
                        .map_err(db_err)?;
                    if done.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
                }

                async fn delete_client(&self, pool_id: &str, client_id: &str) -> StoreResult<()> {
                    let mut tx = self.writer().begin().await.map_err(db_err)?;
                    ::sqlx::query("DELETE FROM client_secrets WHERE pool_id = $1 AND client_id = $2")
                        .bind(pool_id)
                        .bind(client_id)
                        .execute(&mut *tx)
                        .await
                        .map_err(db_err)?;
                    let done = ::sqlx::query("DELETE FROM clients WHERE pool_id = $1 AND client_id = $2")
                        .bind(pool_id)
                        .bind(client_id)
                        .execute(&mut *tx)
                        .await
                        .map_err(db_err)?;
                    if done.rows_affected() == 0 {
                        return Err(StoreError::NotFound);
                    }
                    tx.commit().await.map_err(db_err)
                }

                async fn list_clients(&self, pool_id: &str, after: Option<&str>, limit: u32) -> StoreResult<Page<ClientRecord>> {
                    let after = match after {
                        Some(t) => token_str(&decode_token("clients", t)?, 0)?,
                        None => String::new(),
                    };
                    let rows = ::sqlx::query("SELECT * FROM clients WHERE pool_id = $1 AND client_id > $2 ORDER BY client_id LIMIT $3")
                        .bind(pool_id)
                        .bind(&after)
                        .bind(limit as i64 + 1)
                        .fetch_all(&mut *self.reader().await?)
                        .await
                        .map_err(db_err)?;
                    let clients = rows.iter().map(client_from_row).collect::<StoreResult<Vec<_>>>()?;
                    let (clients, more) = paginate(clients, limit);
                    let next = more.then(|| encode_token("clients", &[clients.last().unwrap().client_id.clone().into()]));
                    Ok((clients, next))
                }

                async fn count_clients(&self, pool_id: &str) -> StoreResult<u64> {
                    let row = ::sqlx::query("SELECT COUNT(*) AS n FROM clients WHERE pool_id = $1")
                        .bind(pool_id)
                        .fetch_one(&mut *self.reader().await?)
                        .await
                        .map_err(db_err)?;
                    Ok(row.try_get::<i64, _>("n").map_err(db_err)? as u64)
                }

                async fn add_client_secret(&self, s: &ClientSecretRecord) -> StoreResult<()> {
                    ::sqlx::query("INSERT INTO client_secrets (pool_id, client_id, secret_id, sealed_secret, created_at) VALUES ($1, $2, $3, $4, $5)")
                        .bind(&s.pool_id)
                        .bind(&s.client_id)
                        .bind(&s.secret_id)
                        .bind(&s.sealed_secret)
                        .bind(s.created_at)
                        .execute(self.writer())
                        .await
                        .map_err(|e| match unique_of(&e) {
                            Some(c) => StoreError::Conflict(c),
                            None => db_err(e),
                        })?;
                    Ok(())
                }

                async fn list_client_secrets(&self, pool_id: &str, client_id: &str) -> StoreResult<Vec<ClientSecretRecord>> {
                    let rows = ::sqlx::query("SELECT * FROM client_secrets WHERE pool_id = $1 AND client_id = $2 ORDER BY created_at, secret_id")
                        .bind(pool_id)
                        .bind(client_id)
                        .fetch_all(&mut *self.reader().await?)
                        .await
                        .map_err(db_err)?;
                    rows.iter()
                        .map(|r| {
                            Ok(ClientSecretRecord {
                                pool_id: r.try_get("pool_id").map_err(db_err)?,
                                client_id: r.try_get("client_id").map_err(db_err)?,
                                secret_id: r.try_get("secret_id").map_err(db_err)?,
                                sealed_secret: r.try_get("sealed_secret").map_err(db_err)?,
                                created_at: r.try_get("created_at").map_err(db_err)?,
                            })
                        })
                        .collect()
                }

                async fn delete_client_secret(&self, pool_id: &str, client_id: &str, secret_id: &str) -> StoreResult<()> {
                    let done = ::sqlx::query("DELETE FROM client_secrets WHERE pool_id = $1 AND client_id = $2 AND secret_id = $3")
                        .bind(pool_id)
                        .bind(client_id)
                        .bind(secret_id)
                        .execute(self.writer())
                        .await
                        .map_err(db_err)?;
                    if done.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
                }
            }

            #[async_trait]
            impl UserStore for $store {
                async fn create_user(&self, user: &UserRecord, aliases: &[AliasKey]) -> StoreResult<()> {
                    let mut tx = self.writer().begin().await.map_err(db_err)?;
                    insert_user(&mut tx, user, aliases).await?;
                    tx.commit().await.map_err(db_err)
                }

                async fn create_users_bulk(&self, users: &[(UserRecord, Vec<AliasKey>)]) -> StoreResult<()> {
                    let mut tx = self.writer().begin().await.map_err(db_err)?;
                    for (user, aliases) in users {
                        insert_user(&mut tx, user, aliases).await?;
                    }
                    tx.commit().await.map_err(db_err)
                }

                async fn get_user(&self, pool_id: &str, username_key: &str) -> StoreResult<Option<UserRecord>> {
                    let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.pool_id = $1 AND u.username_key = $2");
                    fetch_user(self, &sql, &[pool_id, username_key]).await
                }

                async fn get_user_by_sub(&self, pool_id: &str, sub: &str) -> StoreResult<Option<UserRecord>> {
                    let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.pool_id = $1 AND u.sub = $2");
                    fetch_user(self, &sql, &[pool_id, sub]).await
                }

                async fn get_user_by_sub_checking_family(
                    &self,
                    pool_id: &str,
                    sub: &str,
                    family_id: &str,
                ) -> StoreResult<Option<(UserRecord, bool)>> {
                    let sql = format!(
                        "SELECT {USER_COLUMNS}, EXISTS (SELECT 1 FROM refresh_tokens r \
                         WHERE r.pool_id = $1 AND r.family_id = $3 AND r.revoked_at IS NOT NULL) \
                         AS family_revoked FROM users u WHERE u.pool_id = $1 AND u.sub = $2"
                    );
                    let row = ::sqlx::query(&sql)
                        .bind(pool_id)
                        .bind(sub)
                        .bind(family_id)
                        .fetch_optional(&mut *self.reader().await?)
                        .await
                        .map_err(db_err)?;
                    row.map(|r| {
                        let (_, user) = user_from_row(&r)?;
                        let revoked: bool = r.try_get("family_revoked").map_err(db_err)?;
                        Ok((user, revoked))
                    })
                    .transpose()
                }

                async fn get_user_by_alias(&self, pool_id: &str, kind: &str, key: &str) -> StoreResult<Option<UserRecord>> {
                    let sql = format!(
                        "SELECT {USER_COLUMNS} FROM user_aliases a JOIN users u ON u.id = a.user_id \
                         WHERE a.pool_id = $1 AND a.kind = $2 AND a.alias_key = $3"
                    );
                    fetch_user(self, &sql, &[pool_id, kind, key]).await
                }

                async fn update_user(&self, user: &UserRecord, aliases: Option<&[AliasKey]>) -> StoreResult<i64> {
                    let mut tx = self.writer().begin().await.map_err(db_err)?;
                    let row = ::sqlx::query(
                        "UPDATE users SET status = $3, enabled = $4, attributes = $5, password_hash = $6, \
                         credentials = $7, updated_at = $8, version = version + 1 \
                         WHERE pool_id = $1 AND username_key = $2 AND version = $9 RETURNING id, version",
                    )
                    .bind(&user.pool_id)
                    .bind(&user.username_key)
                    .bind(&user.status)
                    .bind(user.enabled as i64)
                    .bind(to_json_text(&user.attributes))
                    .bind(&user.password_hash)
                    .bind(to_json_text(&user.credentials))
                    .bind(user.updated_at)
                    .bind(user.version)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(db_err)?;
                    let (id, version): (i64, i64) = match row {
                        Some(row) => (row.try_get("id").map_err(db_err)?, row.try_get("version").map_err(db_err)?),
                        None => {
                            let exists = ::sqlx::query("SELECT 1 FROM users WHERE pool_id = $1 AND username_key = $2")
                                .bind(&user.pool_id)
                                .bind(&user.username_key)
                                .fetch_optional(&mut *tx)
                                .await
                                .map_err(db_err)?;
                            return Err(if exists.is_some() { StoreError::Stale } else { StoreError::NotFound });
                        }
                    };
                    if let Some(aliases) = aliases {
                        ::sqlx::query("DELETE FROM user_aliases WHERE user_id = $1")
                            .bind(id)
                            .execute(&mut *tx)
                            .await
                            .map_err(db_err)?;
                        insert_aliases(&mut tx, &user.pool_id, id, aliases).await?;
                    }
                    ::sqlx::query("DELETE FROM user_search WHERE user_id = $1")
                        .bind(id)
                        .execute(&mut *tx)
                        .await
                        .map_err(db_err)?;
                    insert_search(&mut tx, &user.pool_id, id, user).await?;
                    tx.commit().await.map_err(db_err)?;
                    Ok(version)
                }

                async fn remove_credentials_member(&self, pool_id: &str, key: &str) -> StoreResult<u64> {
                    // The one statement whose JSON functions differ between the engines.
                    let sql = if <Db as ::sqlx::Database>::NAME == "PostgreSQL" {
                        "UPDATE users SET credentials = (credentials::jsonb - $2)::text \
                         WHERE pool_id = $1 AND credentials::jsonb ? $2"
                    } else {
                        "UPDATE users SET credentials = json_remove(credentials, '$.' || $2) \
                         WHERE pool_id = $1 AND json_type(credentials, '$.' || $2) IS NOT NULL"
                    };
                    let done = ::sqlx::query(sql)
                        .bind(pool_id)
                        .bind(key)
                        .execute(self.writer())
                        .await
                        .map_err(db_err)?;
                    Ok(done.rows_affected())
                }

                async fn delete_user(&self, pool_id: &str, username_key: &str) -> StoreResult<()> {
                    let mut tx = self.writer().begin().await.map_err(db_err)?;
                    let id = user_id(&mut tx, pool_id, username_key).await?.ok_or(StoreError::NotFound)?;
                    delete_user_rows(&mut tx, id).await?;
                    for table in ["refresh_tokens", "sign_in_failures"] {
                        ::sqlx::query(&format!("DELETE FROM {table} WHERE pool_id = $1 AND username_key = $2"))
                            .bind(pool_id)
                            .bind(username_key)
                            .execute(&mut *tx)
                            .await
                            .map_err(db_err)?;
                    }
                    tx.commit().await.map_err(db_err)
                }

                async fn list_users(&self, pool_id: &str, query: &UserQuery) -> StoreResult<Page<UserRecord>> {
                    let limit = query.limit;
                    let Some(filter) = &query.filter else {
                        let after = match &query.after {
                            Some(t) => token_str(&decode_token("users", t)?, 0)?,
                            None => String::new(),
                        };
                        let sql = format!(
                            "SELECT {USER_COLUMNS} FROM users u WHERE u.pool_id = $1 AND u.username_key > $2 \
                             ORDER BY u.username_key LIMIT $3"
                        );
                        let rows = ::sqlx::query(&sql)
                            .bind(pool_id)
                            .bind(&after)
                            .bind(limit as i64 + 1)
                            .fetch_all(&mut *self.reader().await?)
                            .await
                            .map_err(db_err)?;
                        let users = rows.iter().map(|r| user_from_row(r).map(|(_, u)| u)).collect::<StoreResult<Vec<_>>>()?;
                        let (users, more) = paginate(users, limit);
                        let next = more.then(|| encode_token("users", &[users.last().unwrap().username_key.clone().into()]));
                        return Ok((users, next));
                    };
                    let column = if filter.case_insensitive { "s.value_folded" } else { "s.value" };
                    let value = if filter.case_insensitive { filter.value.to_lowercase() } else { filter.value.clone() };
                    let token_kind = format!("search:{}:{column}", filter.field.index_name());
                    let after = match &query.after {
                        Some(t) => {
                            let keys = decode_token(&token_kind, t)?;
                            Some((token_str(&keys, 0)?, token_i64(&keys, 1)?))
                        }
                        None => None,
                    };
                    // Placeholders are numbered as they are needed: PostgreSQL refuses unused ones.
                    let mut next_param = 4;
                    let mut param = || {
                        next_param += 1;
                        format!("${}", next_param - 1)
                    };
                    let condition = match filter.op {
                        FilterOp::Equals => format!("{column} = $3"),
                        FilterOp::Prefix => format!("{column} >= $3 AND {column} < {}", param()),
                    };
                    let keyset = match after {
                        Some(_) => format!(" AND ({column}, s.user_id) > ({}, {})", param(), param()),
                        None => String::new(),
                    };
                    let limit_param = param();
                    let sql = format!(
                        "SELECT {USER_COLUMNS}, {column} AS sort_value FROM user_search s JOIN users u ON u.id = s.user_id \
                         WHERE s.pool_id = $1 AND s.name = $2 AND {condition}{keyset} \
                         ORDER BY {column}, s.user_id LIMIT {limit_param}"
                    );
                    let mut q = ::sqlx::query(&sql).bind(pool_id).bind(filter.field.index_name()).bind(&value);
                    if filter.op == FilterOp::Prefix {
                        q = q.bind(prefix_upper_bound(&value));
                    }
                    if let Some((after_value, after_id)) = &after {
                        q = q.bind(after_value.clone()).bind(*after_id);
                    }
                    let rows = q.bind(limit as i64 + 1).fetch_all(&mut *self.reader().await?).await.map_err(db_err)?;
                    let mut users = Vec::with_capacity(rows.len());
                    for row in &rows {
                        let (id, user) = user_from_row(row)?;
                        let sort: String = row.try_get("sort_value").map_err(db_err)?;
                        users.push((id, sort, user));
                    }
                    let (users, more) = paginate(users, limit);
                    let next = more.then(|| {
                        let (id, sort, _) = users.last().unwrap();
                        encode_token(&token_kind, &[sort.clone().into(), (*id).into()])
                    });
                    Ok((users.into_iter().map(|(_, _, u)| u).collect(), next))
                }

                async fn count_users(&self, pool_id: &str) -> StoreResult<u64> {
                    let row = ::sqlx::query("SELECT COUNT(*) AS n FROM users WHERE pool_id = $1")
                        .bind(pool_id)
                        .fetch_one(&mut *self.reader().await?)
                        .await
                        .map_err(db_err)?;
                    Ok(row.try_get::<i64, _>("n").map_err(db_err)? as u64)
                }
            }

            #[async_trait]
            impl GroupStore for $store {
                async fn create_group(&self, g: &GroupRecord) -> StoreResult<()> {
                    ::sqlx::query(
                        "INSERT INTO groups (pool_id, name, description, role_arn, precedence, created_at, updated_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    )
                    .bind(&g.pool_id)
                    .bind(&g.name)
                    .bind(&g.description)
                    .bind(&g.role_arn)
                    .bind(g.precedence.map(i64::from))
                    .bind(g.created_at)
                    .bind(g.updated_at)
                    .execute(self.writer())
                    .await
                    .map_err(|e| match unique_of(&e) {
                        Some(c) => StoreError::Conflict(c),
                        None => db_err(e),
                    })?;
                    Ok(())
                }

                async fn get_group(&self, pool_id: &str, name: &str) -> StoreResult<Option<GroupRecord>> {
                    let row = ::sqlx::query("SELECT * FROM groups WHERE pool_id = $1 AND name = $2")
                        .bind(pool_id)
                        .bind(name)
                        .fetch_optional(&mut *self.reader().await?)
                        .await
                        .map_err(db_err)?;
                    row.map(|r| group_from_row(&r)).transpose()
                }

                async fn update_group(&self, g: &GroupRecord) -> StoreResult<()> {
                    let done = ::sqlx::query(
                        "UPDATE groups SET description = $3, role_arn = $4, precedence = $5, updated_at = $6 \
                         WHERE pool_id = $1 AND name = $2",
                    )
                    .bind(&g.pool_id)
                    .bind(&g.name)
                    .bind(&g.description)
                    .bind(&g.role_arn)
                    .bind(g.precedence.map(i64::from))
                    .bind(g.updated_at)
                    .execute(self.writer())
                    .await
                    .map_err(db_err)?;
                    if done.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
                }

                async fn delete_group(&self, pool_id: &str, name: &str) -> StoreResult<()> {
                    let mut tx = self.writer().begin().await.map_err(db_err)?;
                    ::sqlx::query("DELETE FROM group_members WHERE pool_id = $1 AND group_name = $2")
                        .bind(pool_id)
                        .bind(name)
                        .execute(&mut *tx)
                        .await
                        .map_err(db_err)?;
                    let done = ::sqlx::query("DELETE FROM groups WHERE pool_id = $1 AND name = $2")
                        .bind(pool_id)
                        .bind(name)
                        .execute(&mut *tx)
                        .await
                        .map_err(db_err)?;
                    if done.rows_affected() == 0 {
                        return Err(StoreError::NotFound);
                    }
                    tx.commit().await.map_err(db_err)
                }

                async fn list_groups(&self, pool_id: &str, after: Option<&str>, limit: u32) -> StoreResult<Page<GroupRecord>> {
                    let after = match after {
                        Some(t) => token_str(&decode_token("groups", t)?, 0)?,
                        None => String::new(),
                    };
                    let rows = ::sqlx::query("SELECT * FROM groups WHERE pool_id = $1 AND name > $2 ORDER BY name LIMIT $3")
                        .bind(pool_id)
                        .bind(&after)
                        .bind(limit as i64 + 1)
                        .fetch_all(&mut *self.reader().await?)
                        .await
                        .map_err(db_err)?;
                    let groups = rows.iter().map(group_from_row).collect::<StoreResult<Vec<_>>>()?;
                    let (groups, more) = paginate(groups, limit);
                    let next = more.then(|| encode_token("groups", &[groups.last().unwrap().name.clone().into()]));
                    Ok((groups, next))
                }

                async fn add_user_to_group(&self, pool_id: &str, username_key: &str, group: &str) -> StoreResult<()> {
                    let mut tx = self.writer().begin().await.map_err(db_err)?;
                    let id = user_id(&mut tx, pool_id, username_key).await?.ok_or(StoreError::NotFound)?;
                    let exists = ::sqlx::query("SELECT 1 AS one FROM groups WHERE pool_id = $1 AND name = $2")
                        .bind(pool_id)
                        .bind(group)
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(db_err)?;
                    if exists.is_none() {
                        return Err(StoreError::NotFound);
                    }
                    ::sqlx::query(
                        "INSERT INTO group_members (pool_id, group_name, user_id) VALUES ($1, $2, $3) \
                         ON CONFLICT (pool_id, group_name, user_id) DO NOTHING",
                    )
                    .bind(pool_id)
                    .bind(group)
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                    tx.commit().await.map_err(db_err)
                }

                async fn remove_user_from_group(&self, pool_id: &str, username_key: &str, group: &str) -> StoreResult<()> {
                    let mut tx = self.writer().begin().await.map_err(db_err)?;
                    let id = user_id(&mut tx, pool_id, username_key).await?.ok_or(StoreError::NotFound)?;
                    ::sqlx::query("DELETE FROM group_members WHERE pool_id = $1 AND group_name = $2 AND user_id = $3")
                        .bind(pool_id)
                        .bind(group)
                        .bind(id)
                        .execute(&mut *tx)
                        .await
                        .map_err(db_err)?;
                    tx.commit().await.map_err(db_err)
                }

                async fn list_groups_for_user(&self, pool_id: &str, username_key: &str, after: Option<&str>, limit: u32) -> StoreResult<Page<GroupRecord>> {
                    let after = match after {
                        Some(t) => token_str(&decode_token("user-groups", t)?, 0)?,
                        None => String::new(),
                    };
                    let rows = ::sqlx::query(
                        "SELECT g.* FROM group_members m JOIN users u ON u.id = m.user_id \
                         JOIN groups g ON g.pool_id = m.pool_id AND g.name = m.group_name \
                         WHERE u.pool_id = $1 AND u.username_key = $2 AND g.name > $3 ORDER BY g.name LIMIT $4",
                    )
                    .bind(pool_id)
                    .bind(username_key)
                    .bind(&after)
                    .bind(limit as i64 + 1)
                    .fetch_all(&mut *self.reader().await?)
                    .await
                    .map_err(db_err)?;
                    let groups = rows.iter().map(group_from_row).collect::<StoreResult<Vec<_>>>()?;
                    let (groups, more) = paginate(groups, limit);
                    let next = more.then(|| encode_token("user-groups", &[groups.last().unwrap().name.clone().into()]));
                    Ok((groups, next))
                }

                async fn list_users_in_group(&self, pool_id: &str, group: &str, after: Option<&str>, limit: u32) -> StoreResult<Page<UserRecord>> {
                    let after = match after {
                        Some(t) => token_str(&decode_token("group-users", t)?, 0)?,
                        None => String::new(),
                    };
                    let sql = format!(
                        "SELECT {USER_COLUMNS} FROM group_members m JOIN users u ON u.id = m.user_id \
                         WHERE m.pool_id = $1 AND m.group_name = $2 AND u.username_key > $3 \
                         ORDER BY u.username_key LIMIT $4"
                    );
                    let rows = ::sqlx::query(&sql)
                        .bind(pool_id)
                        .bind(group)
                        .bind(&after)
                        .bind(limit as i64 + 1)
                        .fetch_all(&mut *self.reader().await?)
                        .await
                        .map_err(db_err)?;
                    let users = rows.iter().map(|r| user_from_row(r).map(|(_, u)| u)).collect::<StoreResult<Vec<_>>>()?;
                    let (users, more) = paginate(users, limit);
                    let next = more.then(|| encode_token("group-users", &[users.last().unwrap().username_key.clone().into()]));
                    Ok((users, next))
                }

                async fn count_groups_for_user(&self, pool_id: &str, username_key: &str) -> StoreResult<u64> {
                    let row = ::sqlx::query(
                        "SELECT COUNT(*) AS n FROM group_members m JOIN users u ON u.id = m.user_id \
                         WHERE u.pool_id = $1 AND u.username_key = $2",
                    )
                    .bind(pool_id)
                    .bind(username_key)
                    .fetch_one(&mut *self.reader().await?)
                    .await
                    .map_err(db_err)?;
                    Ok(row.try_get::<i64, _>("n").map_err(db_err)? as u64)
                }
            }

            #[async_trait]
            impl OutboxStore for $store {
                async fn push(&self, m: &OutboxMessage) -> StoreResult<i64> {
                    let row = ::sqlx::query(
                        "INSERT INTO outbox (pool_id, username, medium, destination, kind, subject, body, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                    )
                    .bind(&m.pool_id)
                    .bind(&m.username)
                    .bind(&m.medium)
                    .bind(&m.destination)
                    .bind(&m.kind)
                    .bind(&m.subject)
                    .bind(&m.body)
                    .bind(m.created_at)
                    .fetch_one(self.writer())
                    .await
                    .map_err(db_err)?;
                    row.try_get("id").map_err(db_err)
                }

                async fn list(&self, pool_id: Option<&str>, username: Option<&str>, after_id: Option<i64>, limit: u32) -> StoreResult<Vec<OutboxMessage>> {
                    let rows = ::sqlx::query(
                        "SELECT * FROM outbox WHERE ($1 = '' OR pool_id = $1) AND ($2 = '' OR username = $2) \
                         AND id > $3 ORDER BY id LIMIT $4",
                    )
                    .bind(pool_id.unwrap_or(""))
                    .bind(username.unwrap_or(""))
                    .bind(after_id.unwrap_or(0))
                    .bind(limit as i64)
                    .fetch_all(&mut *self.reader().await?)
                    .await
                    .map_err(db_err)?;
                    rows.iter().map(outbox_from_row).collect()
                }
            }

            #[async_trait]
            impl AccessKeyStore for $store {
                async fn create_access_key(&self, k: &AccessKeyRecord) -> StoreResult<()> {
                    ::sqlx::query(
                        "INSERT INTO access_keys (access_key_id, sealed_secret, allowed_actions, pool_ids, description, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6)",
                    )
                    .bind(&k.access_key_id)
                    .bind(&k.sealed_secret)
                    .bind(to_json_text(&k.allowed_actions))
                    .bind(to_json_text(&k.pool_ids))
                    .bind(&k.description)
                    .bind(k.created_at)
                    .execute(self.writer())
                    .await
                    .map_err(|e| match unique_of(&e) {
                        Some(c) => StoreError::Conflict(c),
                        None => db_err(e),
                    })?;
                    Ok(())
                }

                async fn get_access_key(&self, id: &str) -> StoreResult<Option<AccessKeyRecord>> {
                    let row = ::sqlx::query("SELECT * FROM access_keys WHERE access_key_id = $1")
                        .bind(id)
                        .fetch_optional(&mut *self.reader().await?)
                        .await
                        .map_err(db_err)?;
                    row.map(|r| key_from_row(&r)).transpose()
                }

                async fn list_access_keys(&self) -> StoreResult<Vec<AccessKeyRecord>> {
                    let rows = ::sqlx::query("SELECT * FROM access_keys ORDER BY created_at, access_key_id")
                        .fetch_all(&mut *self.reader().await?)
                        .await
                        .map_err(db_err)?;
                    rows.iter().map(key_from_row).collect()
                }

                async fn delete_access_key(&self, id: &str) -> StoreResult<()> {
                    let done = ::sqlx::query("DELETE FROM access_keys WHERE access_key_id = $1")
                        .bind(id)
                        .execute(self.writer())
                        .await
                        .map_err(db_err)?;
                    if done.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
                }
            }

            #[async_trait]
            impl Store for $store {
                async fn ping(&self) -> StoreResult<()> {
                    ::sqlx::query("SELECT 1").execute(&mut *self.reader().await?).await.map_err(db_err)?;
                    Ok(())
                }
            }
        }
    };
}
