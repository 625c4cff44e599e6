-- Sign-in state. Rows belong to a pool (and to a user where they carry username_key); like the
-- tables of 0001 they have no foreign keys: delete_pool and delete_user delete them.

CREATE TABLE signing_keys (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    pool_id TEXT NOT NULL,
    kid TEXT NOT NULL,
    token_use TEXT NOT NULL,
    state TEXT NOT NULL,
    sealed_private_key TEXT NOT NULL,
    public_jwk TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    publish_until INTEGER
);
CREATE UNIQUE INDEX signing_keys_kid ON signing_keys (pool_id, kid);
-- One active key per token use: two nodes cannot both create a pool's first keys.
CREATE UNIQUE INDEX signing_keys_active ON signing_keys (pool_id, token_use) WHERE state = 'active';

CREATE TABLE refresh_tokens (
    digest TEXT PRIMARY KEY,
    pool_id TEXT NOT NULL,
    client_id TEXT NOT NULL,
    username_key TEXT NOT NULL,
    family_id TEXT NOT NULL,
    device_key TEXT,
    auth_time INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER,
    replaced_at INTEGER
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (pool_id, family_id);
CREATE INDEX refresh_tokens_user ON refresh_tokens (pool_id, username_key);
CREATE INDEX refresh_tokens_expires ON refresh_tokens (expires_at);

CREATE TABLE session_nonces (
    nonce TEXT PRIMARY KEY,
    expires_at INTEGER NOT NULL
);
CREATE INDEX session_nonces_expires ON session_nonces (expires_at);

CREATE TABLE sign_in_failures (
    pool_id TEXT NOT NULL,
    username_key TEXT NOT NULL,
    count INTEGER NOT NULL,
    last_failure_at INTEGER NOT NULL,
    PRIMARY KEY (pool_id, username_key)
);
