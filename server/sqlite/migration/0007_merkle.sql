-- The audit log's Merkle tree (shared/audit, golang.org/x/mod/sumdb/tlog):
-- every stored hash at its tlog storage index, and a signed checkpoint
-- (a signed note) per tree size. Both are append-only. A log written
-- before this migration gets its tree on the first append (or start).
CREATE TABLE audit_tree (
	idx  INTEGER PRIMARY KEY,
	hash BLOB NOT NULL
);
CREATE TABLE audit_trees (
	size      INTEGER PRIMARY KEY,
	note      TEXT NOT NULL,
	signed_at TEXT NOT NULL
);
CREATE TRIGGER audit_tree_no_update BEFORE UPDATE ON audit_tree
BEGIN SELECT RAISE(ABORT, 'the audit tree is append-only'); END;
CREATE TRIGGER audit_tree_no_delete BEFORE DELETE ON audit_tree
BEGIN SELECT RAISE(ABORT, 'the audit tree is append-only'); END;
CREATE TRIGGER audit_trees_no_update BEFORE UPDATE ON audit_trees
BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END;
CREATE TRIGGER audit_trees_no_delete BEFORE DELETE ON audit_trees
BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END;
