package postgres

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// limitKey hashes a limiter key (a user name or an address), so the table
// holds no personal data in clear.
func limitKey(key string) string {
	h := sha256.Sum256([]byte("postvakt-login-limit\n" + key))
	return hex.EncodeToString(h[:])
}

// Blocked reports whether key has max or more failures in its window.
func (db *DB) Blocked(ctx context.Context, key string, max int, now time.Time) (bool, error) {
	var blocked bool
	err := db.pool.QueryRow(ctx,
		`SELECT EXISTS (SELECT 1 FROM login_failures WHERE key_hash = $1 AND reset_at > $2 AND n >= $3)`,
		limitKey(key), now, max).Scan(&blocked)
	return blocked, err
}

// Fail records a failure for key in one statement, so concurrent failures
// through several processes all count.
func (db *DB) Fail(ctx context.Context, key string, per time.Duration, now time.Time) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO login_failures (key_hash, n, reset_at) VALUES ($1, 1, $2)
		ON CONFLICT (key_hash) DO UPDATE SET
			n = CASE WHEN login_failures.reset_at <= $3 THEN 1 ELSE login_failures.n + 1 END,
			reset_at = CASE WHEN login_failures.reset_at <= $3 THEN $2 ELSE login_failures.reset_at END`,
		limitKey(key), now.Add(per), now)
	if err != nil {
		return err
	}
	// Forget windows that closed a day ago; cheap with the index.
	_, err = db.pool.Exec(ctx, `DELETE FROM login_failures WHERE reset_at < $1`, now.Add(-24*time.Hour))
	return err
}

// Clear forgets key's failures.
func (db *DB) Clear(ctx context.Context, key string) error {
	_, err := db.pool.Exec(ctx, `DELETE FROM login_failures WHERE key_hash = $1`, limitKey(key))
	return err
}
