//! The SQL implementation of the sign-in traits ([`crate::SigningKeyStore`] and the others of
//! `auth.rs`), shared by the SQLite and PostgreSQL backends like [`crate::sql_store!`].
//!
//! Every race is settled by the database: a unique partial index keeps one active signing key
//! per pool and token use, `UPDATE ... WHERE ... IS NULL` and `INSERT ... ON CONFLICT` make
//! "first caller wins" atomic, and the failure counter is a single upsert.

/// Expands the sign-in store traits for `$store`, a struct with the `writer` and `reader`
/// methods [`crate::sql_store!`] asks for, whose database has the tables of the `0002_auth`
/// migration.
#[macro_export]
macro_rules! sql_auth_store {
    ($store:ty, $db:ty) => {
        mod sql_auth_impl {
            use super::*;
            use ::async_trait::async_trait;
            use ::sqlx::Row as _;
            use $crate::sql::{backend, from_json_text, to_json_text};
            use $crate::*;

            type Db = $db;
            type DbRow = <Db as ::sqlx::Database>::Row;
            type Tx<'a> = ::sqlx::Transaction<'a, Db>;

            const KEY_COLUMNS: &str = "pool_id, kid, token_use, state, sealed_private_key, \
                public_jwk, created_at, publish_until";
            const TOKEN_COLUMNS: &str = "digest, pool_id, client_id, username_key, family_id, \
                device_key, auth_time, created_at, expires_at, revoked_at, replaced_at";

            fn db_err(err: ::sqlx::Error) -> StoreError {
                backend(err)
            }

            fn conflict_or_backend(err: ::sqlx::Error) -> StoreError {
                match &err {
                    ::sqlx::Error::Database(e) if e.is_unique_violation() => StoreError::Conflict(
                        format!("{} {}", e.constraint().unwrap_or(""), e.message()),
                    ),
                    _ => db_err(err),
                }
            }

            fn key_from_row(row: &DbRow) -> StoreResult<SigningKeyRecord> {
                Ok(SigningKeyRecord {
                    pool_id: row.try_get("pool_id").map_err(db_err)?,
                    kid: row.try_get("kid").map_err(db_err)?,
                    token_use: row.try_get("token_use").map_err(db_err)?,
                    state: row.try_get("state").map_err(db_err)?,
                    sealed_private_key: row.try_get("sealed_private_key").map_err(db_err)?,
                    public_jwk: from_json_text(
                        &row.try_get::<String, _>("public_jwk").map_err(db_err)?,
                    )?,
                    created_at: row.try_get("created_at").map_err(db_err)?,
                    publish_until: row.try_get("publish_until").map_err(db_err)?,
                })
            }

            fn token_from_row(row: &DbRow) -> StoreResult<RefreshTokenRecord> {
                Ok(RefreshTokenRecord {
                    digest: row.try_get("digest").map_err(db_err)?,
                    pool_id: row.try_get("pool_id").map_err(db_err)?,
                    client_id: row.try_get("client_id").map_err(db_err)?,
                    username_key: row.try_get("username_key").map_err(db_err)?,
                    family_id: row.try_get("family_id").map_err(db_err)?,
                    device_key: row.try_get("device_key").map_err(db_err)?,
                    auth_time: row.try_get("auth_time").map_err(db_err)?,
                    created_at: row.try_get("created_at").map_err(db_err)?,
                    expires_at: row.try_get("expires_at").map_err(db_err)?,
                    revoked_at: row.try_get("revoked_at").map_err(db_err)?,
                    replaced_at: row.try_get("replaced_at").map_err(db_err)?,
                })
            }

            fn failures_from_row(row: &DbRow) -> StoreResult<SignInFailures> {
                let count: i64 = row.try_get("count").map_err(db_err)?;
                Ok(SignInFailures {
                    count: u32::try_from(count).map_err(backend)?,
                    last_failure_at: row.try_get("last_failure_at").map_err(db_err)?,
                })
            }

            /// Holds the pool's row until the transaction ends, so the key changes of one pool
            /// run one at a time (a no-op update: SQLite has no `SELECT ... FOR UPDATE`).
            async fn lock_pool(tx: &mut Tx<'_>, pool_id: &str) -> StoreResult<()> {
                let done = ::sqlx::query("UPDATE pools SET updated_at = updated_at WHERE id = $1")
                    .bind(pool_id)
                    .execute(&mut **tx)
                    .await
                    .map_err(db_err)?;
                if done.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
            }

            /// Inserts a key; `suffix` is appended to the statement (an `ON CONFLICT` clause).
            /// Returns how many rows were inserted.
            async fn insert_key(
                tx: &mut Tx<'_>,
                key: &SigningKeyRecord,
                suffix: &str,
            ) -> Result<u64, ::sqlx::Error> {
                let sql = format!(
                    "INSERT INTO signing_keys ({KEY_COLUMNS}) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8){suffix}"
                );
                let done = ::sqlx::query(&sql)
                    .bind(&key.pool_id)
                    .bind(&key.kid)
                    .bind(&key.token_use)
                    .bind(&key.state)
                    .bind(&key.sealed_private_key)
                    .bind(to_json_text(&key.public_jwk))
                    .bind(key.created_at)
                    .bind(key.publish_until)
                    .execute(&mut **tx)
                    .await?;
                Ok(done.rows_affected())
            }

            #[async_trait]
            impl SigningKeyStore for $store {
                async fn create_initial_signing_keys(
                    &self,
                    keys: &[SigningKeyRecord],
                ) -> StoreResult<bool> {
                    let Some(first) = keys.first() else { return Ok(true) };
                    let mut tx = self.writer().begin().await.map_err(db_err)?;
                    lock_pool(&mut tx, &first.pool_id).await?;
                    for key in keys {
                        // A conflict is an active key of this token use (the partial unique
                        // index): another node won; dropping `tx` rolls back what we inserted.
                        let inserted = insert_key(&mut tx, key, " ON CONFLICT DO NOTHING")
                            .await
                            .map_err(db_err)?;
                        if inserted == 0 {
                            return Ok(false);
                        }
                    }
                    tx.commit().await.map_err(db_err)?;
                    Ok(true)
                }

                async fn list_signing_keys(
                    &self,
                    pool_id: &str,
                ) -> StoreResult<Vec<SigningKeyRecord>> {
                    let sql = format!(
                        "SELECT {KEY_COLUMNS} FROM signing_keys WHERE pool_id = $1 \
                         ORDER BY created_at, id"
                    );
                    let rows = ::sqlx::query(&sql)
                        .bind(pool_id)
                        .fetch_all(&mut *self.reader().await?)
                        .await
                        .map_err(db_err)?;
                    rows.iter().map(key_from_row).collect()
                }

                async fn rotate_signing_keys(
                    &self,
                    pool_id: &str,
                    new_keys: &[SigningKeyRecord],
                    publish_until: i64,
                    now: i64,
                ) -> StoreResult<()> {
                    let mut tx = self.writer().begin().await.map_err(db_err)?;
                    // Concurrent rotations queue here; each retires the keys of the one before.
                    lock_pool(&mut tx, pool_id).await?;
                    ::sqlx::query(
                        "DELETE FROM signing_keys WHERE pool_id = $1 AND state = 'retired' \
                         AND publish_until < $2",
                    )
                    .bind(pool_id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                    ::sqlx::query(
                        "UPDATE signing_keys SET state = 'retired', publish_until = $2 \
                         WHERE pool_id = $1 AND state = 'active'",
                    )
                    .bind(pool_id)
                    .bind(publish_until)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                    ::sqlx::query(
                        "UPDATE signing_keys SET state = 'active' WHERE pool_id = $1 AND state = 'next'",
                    )
                    .bind(pool_id)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                    for key in new_keys {
                        // An `active` key only stands in for a token use that had no `next`.
                        let on_conflict = if key.state == "active" { " ON CONFLICT DO NOTHING" } else { "" };
                        insert_key(&mut tx, key, on_conflict).await.map_err(conflict_or_backend)?;
                    }
                    tx.commit().await.map_err(db_err)
                }
            }

            #[async_trait]
            impl RefreshTokenStore for $store {
                async fn insert_refresh_token(&self, t: &RefreshTokenRecord) -> StoreResult<()> {
                    // Only for a user that exists: tokens go with their user (delete_user), and
                    // one inserted after the deletion must not outlive it.
                    let sql = format!(
                        "INSERT INTO refresh_tokens ({TOKEN_COLUMNS}) \
                         SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11 \
                         WHERE EXISTS \
                         (SELECT 1 FROM users WHERE pool_id = $2 AND username_key = $4)"
                    );
                    let done = ::sqlx::query(&sql)
                        .bind(&t.digest)
                        .bind(&t.pool_id)
                        .bind(&t.client_id)
                        .bind(&t.username_key)
                        .bind(&t.family_id)
                        .bind(&t.device_key)
                        .bind(t.auth_time)
                        .bind(t.created_at)
                        .bind(t.expires_at)
                        .bind(t.revoked_at)
                        .bind(t.replaced_at)
                        .execute(self.writer())
                        .await
                        .map_err(conflict_or_backend)?;
                    if done.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
                }

                async fn get_refresh_token(
                    &self,
                    digest: &str,
                ) -> StoreResult<Option<RefreshTokenRecord>> {
                    let sql =
                        format!("SELECT {TOKEN_COLUMNS} FROM refresh_tokens WHERE digest = $1");
                    let row = ::sqlx::query(&sql)
                        .bind(digest)
                        .fetch_optional(&mut *self.reader().await?)
                        .await
                        .map_err(db_err)?;
                    row.map(|r| token_from_row(&r)).transpose()
                }

                async fn list_user_refresh_tokens(
                    &self,
                    pool_id: &str,
                    username_key: &str,
                ) -> StoreResult<Vec<RefreshTokenRecord>> {
                    let sql = format!(
                        "SELECT {TOKEN_COLUMNS} FROM refresh_tokens \
                         WHERE pool_id = $1 AND username_key = $2 ORDER BY created_at, digest"
                    );
                    let rows = ::sqlx::query(&sql)
                        .bind(pool_id)
                        .bind(username_key)
                        .fetch_all(&mut *self.reader().await?)
                        .await
                        .map_err(db_err)?;
                    rows.iter().map(token_from_row).collect()
                }

                async fn mark_refresh_token_replaced(
                    &self,
                    digest: &str,
                    at: i64,
                ) -> StoreResult<bool> {
                    let done = ::sqlx::query(
                        "UPDATE refresh_tokens SET replaced_at = $2 \
                         WHERE digest = $1 AND replaced_at IS NULL",
                    )
                    .bind(digest)
                    .bind(at)
                    .execute(self.writer())
                    .await
                    .map_err(db_err)?;
                    Ok(done.rows_affected() == 1)
                }

                async fn revoke_refresh_family(
                    &self,
                    pool_id: &str,
                    family_id: &str,
                    at: i64,
                ) -> StoreResult<u64> {
                    let done = ::sqlx::query(
                        "UPDATE refresh_tokens SET revoked_at = $3 \
                         WHERE pool_id = $1 AND family_id = $2 AND revoked_at IS NULL",
                    )
                    .bind(pool_id)
                    .bind(family_id)
                    .bind(at)
                    .execute(self.writer())
                    .await
                    .map_err(db_err)?;
                    Ok(done.rows_affected())
                }

                async fn revoke_user_refresh_tokens(
                    &self,
                    pool_id: &str,
                    username_key: &str,
                    at: i64,
                ) -> StoreResult<u64> {
                    let done = ::sqlx::query(
                        "UPDATE refresh_tokens SET revoked_at = $3 \
                         WHERE pool_id = $1 AND username_key = $2 AND revoked_at IS NULL",
                    )
                    .bind(pool_id)
                    .bind(username_key)
                    .bind(at)
                    .execute(self.writer())
                    .await
                    .map_err(db_err)?;
                    Ok(done.rows_affected())
                }

                async fn is_refresh_family_revoked(
                    &self,
                    pool_id: &str,
                    family_id: &str,
                ) -> StoreResult<bool> {
                    let row = ::sqlx::query(
                        "SELECT 1 AS one FROM refresh_tokens \
                         WHERE pool_id = $1 AND family_id = $2 AND revoked_at IS NOT NULL LIMIT 1",
                    )
                    .bind(pool_id)
                    .bind(family_id)
                    .fetch_optional(&mut *self.reader().await?)
                    .await
                    .map_err(db_err)?;
                    Ok(row.is_some())
                }

                async fn delete_expired_refresh_tokens(&self, now: i64) -> StoreResult<u64> {
                    let done = ::sqlx::query("DELETE FROM refresh_tokens WHERE expires_at < $1")
                        .bind(now)
                        .execute(self.writer())
                        .await
                        .map_err(db_err)?;
                    Ok(done.rows_affected())
                }
            }

            #[async_trait]
            impl SessionStore for $store {
                async fn consume_session_nonce(
                    &self,
                    nonce: &str,
                    expires_at: i64,
                    now: i64,
                ) -> StoreResult<bool> {
                    let done = ::sqlx::query(
                        "INSERT INTO session_nonces (nonce, expires_at) VALUES ($1, $2) \
                         ON CONFLICT (nonce) DO NOTHING",
                    )
                    .bind(nonce)
                    .bind(expires_at)
                    .execute(self.writer())
                    .await
                    .map_err(db_err)?;
                    // Best effort, after the nonce is recorded: a failed purge (say, a deadlock
                    // with a concurrent one) must not fail the sign-in; the next call retries.
                    // Callers refuse sessions past `expires_at`, so a purged nonce never comes
                    // back as usable.
                    let _ = ::sqlx::query("DELETE FROM session_nonces WHERE expires_at < $1")
                        .bind(now)
                        .execute(self.writer())
                        .await;
                    Ok(done.rows_affected() == 1)
                }
            }

            #[async_trait]
            impl SignInFailureStore for $store {
                async fn get_sign_in_failures(
                    &self,
                    pool_id: &str,
                    username_key: &str,
                ) -> StoreResult<Option<SignInFailures>> {
                    let row = ::sqlx::query(
                        "SELECT count, last_failure_at FROM sign_in_failures \
                         WHERE pool_id = $1 AND username_key = $2",
                    )
                    .bind(pool_id)
                    .bind(username_key)
                    .fetch_optional(&mut *self.reader().await?)
                    .await
                    .map_err(db_err)?;
                    row.map(|r| failures_from_row(&r)).transpose()
                }

                async fn record_sign_in_failure(
                    &self,
                    pool_id: &str,
                    username_key: &str,
                    at: i64,
                    reset_after_ms: i64,
                ) -> StoreResult<SignInFailures> {
                    // One statement, so concurrent failures serialise on the row and none is
                    // lost; a late `at` (another node's clock) never moves the time back.
                    let row = ::sqlx::query(
                        "INSERT INTO sign_in_failures \
                         (pool_id, username_key, count, last_failure_at) VALUES ($1, $2, 1, $3) \
                         ON CONFLICT (pool_id, username_key) DO UPDATE SET \
                         count = CASE \
                             WHEN excluded.last_failure_at - sign_in_failures.last_failure_at > $4 \
                             THEN 1 ELSE sign_in_failures.count + 1 END, \
                         last_failure_at = CASE \
                             WHEN excluded.last_failure_at > sign_in_failures.last_failure_at \
                             THEN excluded.last_failure_at \
                             ELSE sign_in_failures.last_failure_at END \
                         RETURNING count, last_failure_at",
                    )
                    .bind(pool_id)
                    .bind(username_key)
                    .bind(at)
                    .bind(reset_after_ms)
                    .fetch_one(self.writer())
                    .await
                    .map_err(db_err)?;
                    failures_from_row(&row)
                }

                async fn clear_sign_in_failures(
                    &self,
                    pool_id: &str,
                    username_key: &str,
                ) -> StoreResult<()> {
                    ::sqlx::query(
                        "DELETE FROM sign_in_failures WHERE pool_id = $1 AND username_key = $2",
                    )
                    .bind(pool_id)
                    .bind(username_key)
                    .execute(self.writer())
                    .await
                    .map_err(db_err)?;
                    Ok(())
                }

                async fn delete_stale_sign_in_failures(&self, before: i64) -> StoreResult<u64> {
                    let done = ::sqlx::query("DELETE FROM sign_in_failures WHERE last_failure_at < $1")
                        .bind(before)
                        .execute(self.writer())
                        .await
                        .map_err(db_err)?;
                    Ok(done.rows_affected())
                }
            }
        }
    };
}
