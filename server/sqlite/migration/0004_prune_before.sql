-- On an audit_pruned record, the time before which received records may
-- have had their contents removed (audit.Entry.Before). Pruning blanks it
-- like every other content column.
ALTER TABLE audit ADD COLUMN prune_before TEXT NOT NULL DEFAULT '';
DROP TRIGGER audit_no_update;
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
WHEN NOT (OLD.pruned = 0 AND OLD.digest <> '' AND NEW.pruned = 1
	AND NEW.seq = OLD.seq AND NEW.id = OLD.id AND NEW.at = OLD.at AND NEW.at_unix = OLD.at_unix
	AND NEW.action = OLD.action AND NEW.digest = OLD.digest AND NEW.received = OLD.received
	AND NEW.received_unix = OLD.received_unix AND NEW.prev = OLD.prev AND NEW.hash = OLD.hash
	AND NEW.user = '' AND NEW.unit = '' AND NEW.platform = '' AND NEW.host = '' AND NEW.kind = ''
	AND NEW.bundle = '' AND NEW.findings = '[]' AND NEW.reason = '' AND NEW.archive = 0
	AND NEW.text_sha256 = '' AND NEW.dropped = 0 AND NEW.prune_before = '')
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only (only pruning may blank a record''s contents)'); END;
