-- Accounts that can be disabled and revoked (issue #13). users.id is an
-- identity column, whose sequence never hands an id out twice.
ALTER TABLE users
	ADD COLUMN disabled      BOOLEAN NOT NULL DEFAULT false,
	-- Replaced on every change of access; tokens carry it. The default
	-- is volatile, so every existing row gets its own.
	ADD COLUMN stamp         TEXT NOT NULL DEFAULT md5(random()::text || clock_timestamp()::text),
	ADD COLUMN last_login    TIMESTAMPTZ,
	-- SHA-256 of a one-time password-reset code, and its expiry.
	ADD COLUMN reset_hash    TEXT UNIQUE,
	ADD COLUMN reset_expires TIMESTAMPTZ;

-- The stamp a refresh token's family was signed in under. Tokens from
-- before this migration get their account's new stamp, so browsers stay
-- signed in across the upgrade.
ALTER TABLE refresh_tokens ADD COLUMN stamp TEXT NOT NULL DEFAULT '';
UPDATE refresh_tokens SET stamp = users.stamp FROM users WHERE users.id = refresh_tokens.user_id;
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);

-- Page sessions, by SHA-256 of their id; signing out deletes the row.
CREATE TABLE sessions (
	hash       TEXT PRIMARY KEY,
	user_id    BIGINT NOT NULL REFERENCES users (id),
	created_at TIMESTAMPTZ NOT NULL,
	expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Sign-in attempts per key (SHA-256 of an account, an address or both),
-- reserved before each password comparison; replaces login_failures,
-- which counted failures after the comparison. Times are Unix ms.
DROP TABLE login_failures;
CREATE TABLE login_limits (
	key_hash TEXT PRIMARY KEY,
	n        INTEGER NOT NULL,
	reset_at BIGINT NOT NULL,
	strikes  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX login_limits_reset ON login_limits (reset_at);

-- Addresses an account signed in from (SHA-256 of both), until when.
CREATE TABLE login_known (
	key_hash TEXT PRIMARY KEY,
	until    BIGINT NOT NULL
);
