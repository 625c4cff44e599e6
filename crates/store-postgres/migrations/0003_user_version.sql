-- A user row's version: every update_user bumps it and succeeds only when the row still has
-- the version the caller read, so concurrent read-modify-writes cannot silently undo each
-- other.
ALTER TABLE users ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
