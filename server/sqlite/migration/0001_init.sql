-- Accounts. roles is a space-separated list.
CREATE TABLE users (
	id            INTEGER PRIMARY KEY,
	name          TEXT NOT NULL UNIQUE,
	unit          TEXT NOT NULL DEFAULT '',
	roles         TEXT NOT NULL,
	password_hash BLOB NOT NULL,
	created_at    TEXT NOT NULL
);

-- Refresh tokens, by SHA-256; a family is one login's chain of rotations.
CREATE TABLE refresh_tokens (
	hash       TEXT PRIMARY KEY,
	family     TEXT NOT NULL,
	user_id    INTEGER NOT NULL REFERENCES users (id),
	created_at TEXT NOT NULL,
	expires_at TEXT NOT NULL,
	used_at    TEXT,
	revoked    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family);

-- Rule-bundle versions; immutable once stored.
CREATE TABLE bundles (
	version    TEXT PRIMARY KEY,
	json       BLOB NOT NULL,
	etag       TEXT NOT NULL,
	rules      INTEGER NOT NULL,
	created_by TEXT NOT NULL,
	created_at TEXT NOT NULL
);
CREATE TRIGGER bundles_immutable BEFORE UPDATE ON bundles
BEGIN SELECT RAISE(ABORT, 'bundle versions are immutable'); END;

-- Every act of publishing; the newest row is the published version.
CREATE TABLE publications (
	id           INTEGER PRIMARY KEY,
	version      TEXT NOT NULL REFERENCES bundles (version),
	published_by TEXT NOT NULL,
	published_at TEXT NOT NULL,
	rollback     INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE crisis (
	id         INTEGER PRIMARY KEY CHECK (id = 1),
	active     INTEGER NOT NULL,
	message    TEXT NOT NULL,
	team       TEXT NOT NULL,
	updated_by TEXT NOT NULL,
	updated_at TEXT NOT NULL
);

-- The audit log: append-only, each row chained to its predecessor by hash.
CREATE TABLE audit (
	seq         INTEGER PRIMARY KEY,
	id          TEXT NOT NULL UNIQUE,
	user        TEXT NOT NULL,
	unit        TEXT NOT NULL,
	platform    TEXT NOT NULL,
	host        TEXT NOT NULL,
	kind        TEXT NOT NULL,
	at          TEXT NOT NULL,
	at_unix     INTEGER NOT NULL,
	bundle      TEXT NOT NULL,
	action      TEXT NOT NULL,
	findings    TEXT NOT NULL,
	reason      TEXT NOT NULL,
	archive     INTEGER NOT NULL,
	text_sha256 TEXT NOT NULL,
	received    TEXT NOT NULL,
	prev        TEXT NOT NULL,
	hash        TEXT NOT NULL
);
CREATE INDEX audit_at ON audit (at_unix);
CREATE INDEX audit_user ON audit (user);
CREATE INDEX audit_action ON audit (action);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

-- Signed checkpoints of the chain's head.
CREATE TABLE checkpoints (
	size   INTEGER PRIMARY KEY,
	hash   TEXT NOT NULL,
	time   TEXT NOT NULL,
	key_id TEXT NOT NULL,
	sig    TEXT NOT NULL
);
