-- Postvakt on PostgreSQL: the same model as server/sqlite, with native
-- types. Every object lives in the connection's current schema (set
-- search_path in the DSN to keep several installations, or test runs, in
-- one database).

-- Accounts. roles is a space-separated list.
CREATE TABLE users (
	id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	name          TEXT NOT NULL UNIQUE,
	unit          TEXT NOT NULL DEFAULT '',
	roles         TEXT NOT NULL,
	password_hash BYTEA NOT NULL,
	created_at    TIMESTAMPTZ NOT NULL
);

-- Refresh tokens, by SHA-256; a family is one login's chain of rotations.
CREATE TABLE refresh_tokens (
	hash       TEXT PRIMARY KEY,
	family     TEXT NOT NULL,
	user_id    BIGINT NOT NULL REFERENCES users (id),
	created_at TIMESTAMPTZ NOT NULL,
	expires_at TIMESTAMPTZ NOT NULL,
	used_at    TIMESTAMPTZ,
	revoked    BOOLEAN NOT NULL DEFAULT false
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family);

-- Rule-bundle versions; immutable once stored. ord orders them by creation.
CREATE TABLE bundles (
	version    TEXT PRIMARY KEY,
	ord        BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
	json       BYTEA NOT NULL,
	etag       TEXT NOT NULL,
	rules      INTEGER NOT NULL,
	created_by TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL
);
CREATE FUNCTION bundles_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'bundle versions are immutable';
END $$;
CREATE TRIGGER bundles_immutable BEFORE UPDATE ON bundles
	FOR EACH ROW EXECUTE FUNCTION bundles_immutable();

-- Every act of publishing; the newest row is the published version.
CREATE TABLE publications (
	id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	version      TEXT NOT NULL REFERENCES bundles (version),
	published_by TEXT NOT NULL,
	published_at TIMESTAMPTZ NOT NULL,
	rollback     BOOLEAN NOT NULL DEFAULT false
);

CREATE TABLE crisis (
	id         INTEGER PRIMARY KEY CHECK (id = 1),
	active     BOOLEAN NOT NULL,
	message    TEXT NOT NULL,
	team       JSONB NOT NULL,
	updated_by TEXT NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL
);

-- The head of the audit chain. Appenders lock this one row (SELECT ...
-- FOR UPDATE), so that appends from every server process are serialised:
-- positions are gapless and each record's prev is its predecessor's hash.
CREATE TABLE audit_head (
	id   INTEGER PRIMARY KEY CHECK (id = 1),
	seq  BIGINT NOT NULL,
	hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, repeat('0', 64));

-- The audit log: append-only, each row chained to its predecessor by
-- hash. at and received are the exact strings the hash covers; at_time
-- and received_at are the same instants for filtering and pruning.
CREATE TABLE audit (
	seq         BIGINT PRIMARY KEY,
	id          TEXT NOT NULL UNIQUE,
	user_name   TEXT NOT NULL,
	unit        TEXT NOT NULL,
	platform    TEXT NOT NULL,
	host        TEXT NOT NULL,
	kind        TEXT NOT NULL,
	at          TEXT NOT NULL,
	at_time     TIMESTAMPTZ NOT NULL,
	bundle      TEXT NOT NULL,
	action      TEXT NOT NULL,
	findings    JSONB NOT NULL,
	reason      TEXT NOT NULL,
	archive     BOOLEAN NOT NULL,
	text_sha256 TEXT NOT NULL,
	dropped     INTEGER NOT NULL DEFAULT 0,
	received    TEXT NOT NULL,
	received_at TIMESTAMPTZ NOT NULL,
	digest      TEXT NOT NULL,
	pruned      BOOLEAN NOT NULL DEFAULT false,
	prev        TEXT NOT NULL,
	hash        TEXT NOT NULL
);
CREATE INDEX audit_at ON audit (at_time);
CREATE INDEX audit_user ON audit (user_name);
CREATE INDEX audit_action ON audit (action);
CREATE INDEX audit_received ON audit (received_at) WHERE NOT pruned;

-- Append-only, with one exception: pruning, which blanks the contents of
-- a row and marks it pruned, and changes nothing its hash commits to.
CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'UPDATE' THEN
		IF NOT OLD.pruned AND OLD.digest <> '' AND NEW.pruned
			AND NEW.seq = OLD.seq AND NEW.id = OLD.id AND NEW.at = OLD.at AND NEW.at_time = OLD.at_time
			AND NEW.action = OLD.action AND NEW.digest = OLD.digest AND NEW.received = OLD.received
			AND NEW.received_at = OLD.received_at AND NEW.prev = OLD.prev AND NEW.hash = OLD.hash
			AND NEW.user_name = '' AND NEW.unit = '' AND NEW.platform = '' AND NEW.host = '' AND NEW.kind = ''
			AND NEW.bundle = '' AND NEW.findings = '[]'::jsonb AND NEW.reason = '' AND NOT NEW.archive
			AND NEW.text_sha256 = '' AND NEW.dropped = 0 THEN
			RETURN NEW;
		END IF;
	END IF;
	RAISE EXCEPTION 'the audit log is append-only (only pruning may blank a record''s contents)';
END $$;
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
	FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
	FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit
	FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();

-- Signed checkpoints of the chain's head.
CREATE TABLE checkpoints (
	size   BIGINT PRIMARY KEY,
	hash   TEXT NOT NULL,
	time   TEXT NOT NULL,
	key_id TEXT NOT NULL,
	sig    TEXT NOT NULL
);
CREATE FUNCTION checkpoints_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'checkpoints are append-only';
END $$;
CREATE TRIGGER checkpoints_append_only BEFORE UPDATE OR DELETE ON checkpoints
	FOR EACH ROW EXECUTE FUNCTION checkpoints_append_only();
