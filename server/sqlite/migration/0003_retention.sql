-- Retention: a record's hash commits to a digest of its entry (audit
-- record version 2), so that the contents of records older than the
-- retention period can be removed while the chain still verifies. Rows
-- from before this migration have no digest and keep their contents.
DROP TRIGGER audit_no_update;
ALTER TABLE audit ADD COLUMN digest TEXT NOT NULL DEFAULT '';
ALTER TABLE audit ADD COLUMN pruned INTEGER NOT NULL DEFAULT 0;
-- The server's time of appending in Unix seconds, for pruning by date.
ALTER TABLE audit ADD COLUMN received_unix INTEGER NOT NULL DEFAULT 0;
UPDATE audit SET received_unix = CAST(strftime('%s', received) AS INTEGER);
CREATE INDEX audit_received ON audit (received_unix);

-- Still append-only, with one exception: pruning, which blanks the
-- contents of a version-2 row and marks it pruned, and changes nothing
-- its hash commits to.
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
WHEN NOT (OLD.pruned = 0 AND OLD.digest <> '' AND NEW.pruned = 1
	AND NEW.seq = OLD.seq AND NEW.id = OLD.id AND NEW.at = OLD.at AND NEW.at_unix = OLD.at_unix
	AND NEW.action = OLD.action AND NEW.digest = OLD.digest AND NEW.received = OLD.received
	AND NEW.received_unix = OLD.received_unix AND NEW.prev = OLD.prev AND NEW.hash = OLD.hash
	AND NEW.user = '' AND NEW.unit = '' AND NEW.platform = '' AND NEW.host = '' AND NEW.kind = ''
	AND NEW.bundle = '' AND NEW.findings = '[]' AND NEW.reason = '' AND NEW.archive = 0
	AND NEW.text_sha256 = '' AND NEW.dropped = 0)
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only (only pruning may blank a record''s contents)'); END;
