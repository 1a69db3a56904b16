-- On an audit_pruned record, the time before which received records may
-- have had their contents removed (audit.Entry.Before). Pruning blanks it
-- like every other content column.
ALTER TABLE audit ADD COLUMN prune_before TEXT NOT NULL DEFAULT '';
CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'UPDATE' THEN
		IF NOT OLD.pruned AND OLD.digest <> '' AND NEW.pruned
			AND NEW.seq = OLD.seq AND NEW.id = OLD.id AND NEW.at = OLD.at AND NEW.at_time = OLD.at_time
			AND NEW.action = OLD.action AND NEW.digest = OLD.digest AND NEW.received = OLD.received
			AND NEW.received_at = OLD.received_at AND NEW.prev = OLD.prev AND NEW.hash = OLD.hash
			AND NEW.user_name = '' AND NEW.unit = '' AND NEW.platform = '' AND NEW.host = '' AND NEW.kind = ''
			AND NEW.bundle = '' AND NEW.findings = '[]'::jsonb AND NEW.reason = '' AND NOT NEW.archive
			AND NEW.text_sha256 = '' AND NEW.dropped = 0 AND NEW.prune_before = '' THEN
			RETURN NEW;
		END IF;
	END IF;
	RAISE EXCEPTION 'the audit log is append-only (only pruning may blank a record''s contents)';
END $$;
