CREATE TABLE pools (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    config TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE clients (
    pool_id TEXT NOT NULL,
    client_id TEXT NOT NULL,
    name TEXT NOT NULL,
    config TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (pool_id, client_id)
);
CREATE UNIQUE INDEX clients_client_id ON clients (client_id);

CREATE TABLE client_secrets (
    pool_id TEXT NOT NULL,
    client_id TEXT NOT NULL,
    secret_id TEXT NOT NULL,
    sealed_secret TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (pool_id, client_id, secret_id)
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    pool_id TEXT NOT NULL,
    username TEXT NOT NULL,
    username_key TEXT NOT NULL,
    sub TEXT NOT NULL,
    status TEXT NOT NULL,
    enabled INTEGER NOT NULL,
    attributes TEXT NOT NULL,
    password_hash TEXT,
    credentials TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX users_username_unique ON users (pool_id, username_key);
CREATE UNIQUE INDEX users_sub_unique ON users (pool_id, sub);

CREATE TABLE user_aliases (
    pool_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    alias_key TEXT NOT NULL,
    user_id INTEGER NOT NULL,
    PRIMARY KEY (pool_id, kind, alias_key)
);
CREATE INDEX user_aliases_user ON user_aliases (user_id);

CREATE TABLE user_search (
    pool_id TEXT NOT NULL,
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    value_folded TEXT NOT NULL,
    user_id INTEGER NOT NULL
);
CREATE INDEX user_search_value ON user_search (pool_id, name, value, user_id);
CREATE INDEX user_search_folded ON user_search (pool_id, name, value_folded, user_id);
CREATE INDEX user_search_user ON user_search (user_id);

CREATE TABLE groups (
    pool_id TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT,
    role_arn TEXT,
    precedence INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (pool_id, name)
);

CREATE TABLE group_members (
    pool_id TEXT NOT NULL,
    group_name TEXT NOT NULL,
    user_id INTEGER NOT NULL,
    PRIMARY KEY (pool_id, group_name, user_id)
);
CREATE INDEX group_members_user ON group_members (user_id);

CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    pool_id TEXT NOT NULL,
    username TEXT NOT NULL,
    medium TEXT NOT NULL,
    destination TEXT NOT NULL,
    kind TEXT NOT NULL,
    subject TEXT,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX outbox_pool_user ON outbox (pool_id, username, id);

CREATE TABLE access_keys (
    access_key_id TEXT PRIMARY KEY,
    sealed_secret TEXT NOT NULL,
    allowed_actions TEXT NOT NULL,
    pool_ids TEXT NOT NULL,
    description TEXT,
    created_at INTEGER NOT NULL
);
