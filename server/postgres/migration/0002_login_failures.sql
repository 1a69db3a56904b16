-- Failed sign-ins per key, shared by every server process so the login
-- rate limit holds across them. The key is a SHA-256 of the user name or
-- address, never the name itself; expired windows are deleted.
CREATE TABLE login_failures (
	key_hash TEXT PRIMARY KEY,
	n        INTEGER NOT NULL,
	reset_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX login_failures_reset ON login_failures (reset_at);
