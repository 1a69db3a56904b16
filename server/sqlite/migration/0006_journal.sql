-- Journalføring (issue #14): published posts and the comments under them,
-- kept until the archive has filed them. Only text that was public
-- already reaches these tables.
CREATE TABLE journal_items (
	id           TEXT PRIMARY KEY,
	platform     TEXT NOT NULL,
	url          TEXT NOT NULL,
	published_at TEXT NOT NULL,
	title        TEXT NOT NULL,
	text         TEXT NOT NULL,
	case_no      TEXT NOT NULL DEFAULT '',
	deadline     TEXT NOT NULL DEFAULT '',
	created_by   TEXT NOT NULL,
	unit         TEXT NOT NULL,
	created_at   TEXT NOT NULL,
	created_unix INTEGER NOT NULL,
	updated_at   TEXT NOT NULL,
	-- waiting, exported or filed.
	status       TEXT NOT NULL,
	exported_at  TEXT NOT NULL DEFAULT '',
	filed_at     TEXT NOT NULL DEFAULT '',
	filed_unix   INTEGER NOT NULL DEFAULT 0,
	filed_by     TEXT NOT NULL DEFAULT '',
	archive_ref  TEXT NOT NULL DEFAULT '',
	-- Legal hold: not pruned while set.
	hold         INTEGER NOT NULL DEFAULT 0
);
-- One item per post and unit: a later capture adds to it.
CREATE UNIQUE INDEX journal_items_unit_url ON journal_items (unit, url);
CREATE INDEX journal_items_created ON journal_items (created_unix);

-- The comments of an item in the order they were captured (n); key is a
-- hash of author, time and text, so a capture adds only new comments.
CREATE TABLE journal_comments (
	item_id     TEXT NOT NULL REFERENCES journal_items (id) ON DELETE CASCADE,
	n           INTEGER NOT NULL,
	key         TEXT NOT NULL,
	author      TEXT NOT NULL,
	at          TEXT NOT NULL,
	text        TEXT NOT NULL,
	captured_at TEXT NOT NULL,
	PRIMARY KEY (item_id, key)
);
