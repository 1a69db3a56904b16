-- Journalføring (issue #14): published posts and the comments under them,
-- kept until the archive has filed them. Only text that was public
-- already reaches these tables.
CREATE TABLE journal_items (
	id           text PRIMARY KEY,
	platform     text NOT NULL,
	url          text NOT NULL,
	published_at timestamptz NOT NULL,
	title        text NOT NULL,
	text         text NOT NULL,
	case_no      text NOT NULL DEFAULT '',
	deadline     text NOT NULL DEFAULT '',
	created_by   text NOT NULL,
	unit         text NOT NULL,
	created_at   timestamptz NOT NULL,
	updated_at   timestamptz NOT NULL,
	-- waiting, exported or filed.
	status       text NOT NULL,
	exported_at  timestamptz,
	filed_at     timestamptz,
	filed_by     text NOT NULL DEFAULT '',
	archive_ref  text NOT NULL DEFAULT '',
	-- Legal hold: not pruned while set.
	hold         boolean NOT NULL DEFAULT false
);
-- One item per post and unit: a later capture adds to it.
CREATE UNIQUE INDEX journal_items_unit_url ON journal_items (unit, url);
CREATE INDEX journal_items_created ON journal_items (created_at);

-- The comments of an item in the order they were captured (n); key is a
-- hash of author, time and text, so a capture adds only new comments.
CREATE TABLE journal_comments (
	item_id     text NOT NULL REFERENCES journal_items (id) ON DELETE CASCADE,
	n           integer NOT NULL,
	key         text NOT NULL,
	author      text NOT NULL,
	at          text NOT NULL,
	text        text NOT NULL,
	captured_at timestamptz NOT NULL,
	PRIMARY KEY (item_id, key)
);
