-- The audit log's Merkle tree (shared/audit, golang.org/x/mod/sumdb/tlog):
-- every stored hash at its tlog storage index, and a signed checkpoint
-- (a signed note) per tree size, each signed once: appenders hold the
-- audit_head row lock, and size is the key. Both are append-only. A log
-- written before this migration gets its tree on the first append.
CREATE TABLE audit_tree (
	idx  BIGINT PRIMARY KEY,
	hash BYTEA NOT NULL
);
CREATE TABLE audit_trees (
	size      BIGINT PRIMARY KEY,
	note      TEXT NOT NULL,
	signed_at TIMESTAMPTZ NOT NULL
);
CREATE FUNCTION audit_tree_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'the audit tree and its checkpoints are append-only';
END $$;
CREATE TRIGGER audit_tree_append_only BEFORE UPDATE OR DELETE ON audit_tree
	FOR EACH ROW EXECUTE FUNCTION audit_tree_append_only();
CREATE TRIGGER audit_trees_append_only BEFORE UPDATE OR DELETE ON audit_trees
	FOR EACH ROW EXECUTE FUNCTION audit_tree_append_only();
-- Filters and the chart use the server's received time.
CREATE INDEX audit_received_at ON audit (received_at);
