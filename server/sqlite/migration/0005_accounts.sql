-- Accounts that can be disabled and revoked (issue #13).
--
-- users is rebuilt with AUTOINCREMENT, so that an id is never handed out
-- again after its row was deleted (a plain INTEGER PRIMARY KEY reuses the
-- largest id). The copy keeps every id, and sqlite_sequence starts after
-- the largest. Foreign keys are off while migrations run.
CREATE TABLE users_new (
	id            INTEGER PRIMARY KEY AUTOINCREMENT,
	name          TEXT NOT NULL UNIQUE,
	unit          TEXT NOT NULL DEFAULT '',
	roles         TEXT NOT NULL,
	password_hash BLOB NOT NULL,
	created_at    TEXT NOT NULL,
	-- 1: cannot sign in; tokens and sessions end.
	disabled      INTEGER NOT NULL DEFAULT 0,
	-- Replaced on every change of access; tokens carry it.
	stamp         TEXT NOT NULL,
	last_login    TEXT,
	-- SHA-256 of a one-time password-reset code, and its expiry.
	reset_hash    TEXT UNIQUE,
	reset_expires TEXT
);
INSERT INTO users_new (id, name, unit, roles, password_hash, created_at, stamp)
	SELECT id, name, unit, roles, password_hash, created_at, lower(hex(randomblob(16))) FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;

-- The stamp a refresh token's family was signed in under. Tokens from
-- before this migration get their account's new stamp, so browsers stay
-- signed in across the upgrade.
ALTER TABLE refresh_tokens ADD COLUMN stamp TEXT NOT NULL DEFAULT '';
UPDATE refresh_tokens SET stamp = COALESCE((SELECT stamp FROM users WHERE users.id = refresh_tokens.user_id), '');
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);

-- Page sessions, by SHA-256 of their id; signing out deletes the row.
CREATE TABLE sessions (
	hash       TEXT PRIMARY KEY,
	user_id    INTEGER NOT NULL REFERENCES users (id),
	created_at TEXT NOT NULL,
	expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Sign-in attempts per key (SHA-256 of an account, an address or both),
-- reserved before each password comparison. Times are Unix milliseconds.
CREATE TABLE login_limits (
	key_hash TEXT PRIMARY KEY,
	n        INTEGER NOT NULL,
	reset_at INTEGER NOT NULL,
	strikes  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX login_limits_reset ON login_limits (reset_at);

-- Addresses an account signed in from (SHA-256 of both), until when.
CREATE TABLE login_known (
	key_hash TEXT PRIMARY KEY,
	until    INTEGER NOT NULL
);
