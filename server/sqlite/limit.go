package sqlite

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"time"

	"github.com/postvakt/postvakt/server"
)

var _ server.LoginLimiter = (*DB)(nil)

// limitKey hashes a limiter key (a user name, an address or both), so the
// table holds no personal data in clear.
func limitKey(key string) string {
	h := sha256.Sum256([]byte("postvakt-login-limit\n" + key))
	return hex.EncodeToString(h[:])
}

// Reserve takes one attempt from every bucket in one immediate
// transaction, which holds SQLite's write lock: attempts from every
// connection and every process that opens the file are serialised, so no
// two see the same count.
func (db *DB) Reserve(ctx context.Context, buckets []server.LimitBucket, now time.Time) (bool, time.Time, error) {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return false, time.Time{}, fmt.Errorf("sqlite: reserve login: %w", err)
	}
	defer tx.Rollback()
	bs := append([]server.LimitBucket(nil), buckets...)
	sort.Slice(bs, func(i, j int) bool { return bs[i].Key < bs[j].Key })
	ms := now.UnixMilli()
	for _, b := range bs {
		grow := 0
		if b.Grow {
			grow = 1
		}
		// A closed window opens a new one, longer when the closed one
		// was full and the bucket grows; an open one counts up to Max.
		// The WHERE makes a full bucket return no row.
		var n int
		err := tx.QueryRowContext(ctx, `INSERT INTO login_limits (key_hash, n, reset_at, strikes) VALUES (?1, 1, ?2 + ?3, 0)
			ON CONFLICT (key_hash) DO UPDATE SET
				strikes = CASE WHEN login_limits.reset_at <= ?2 AND login_limits.n >= ?4 AND ?5 = 1
					THEN MIN(login_limits.strikes + 1, ?6) ELSE login_limits.strikes END,
				reset_at = CASE WHEN login_limits.reset_at <= ?2
					THEN ?2 + (?3 << (CASE WHEN login_limits.n >= ?4 AND ?5 = 1 THEN MIN(login_limits.strikes + 1, ?6) ELSE login_limits.strikes END))
					ELSE login_limits.reset_at END,
				n = CASE WHEN login_limits.reset_at <= ?2 THEN 1 ELSE login_limits.n + 1 END
			WHERE login_limits.reset_at <= ?2 OR login_limits.n < ?4
			RETURNING n`,
			limitKey(b.Key), ms, b.Window.Milliseconds(), b.Max, grow, server.MaxGrowth).Scan(&n)
		if err == nil {
			continue
		}
		if !isNoRows(err) {
			return false, time.Time{}, fmt.Errorf("sqlite: reserve login: %w", err)
		}
		var reset int64
		if err := tx.QueryRowContext(ctx, `SELECT reset_at FROM login_limits WHERE key_hash = ?`, limitKey(b.Key)).Scan(&reset); err != nil {
			return false, time.Time{}, fmt.Errorf("sqlite: reserve login: %w", err)
		}
		return false, time.UnixMilli(reset), nil
	}
	// Forget windows that closed a day ago, and grown ones after a week.
	if _, err := tx.ExecContext(ctx, `DELETE FROM login_limits WHERE reset_at < ? AND (strikes = 0 OR reset_at < ?)`, ms-24*3600*1000, ms-7*24*3600*1000); err != nil {
		return false, time.Time{}, fmt.Errorf("sqlite: reserve login: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return false, time.Time{}, fmt.Errorf("sqlite: reserve login: %w", err)
	}
	return true, time.Time{}, nil
}

// Reset empties key's bucket.
func (db *DB) Reset(ctx context.Context, key string) error {
	if _, err := db.write.ExecContext(ctx, `DELETE FROM login_limits WHERE key_hash = ?`, limitKey(key)); err != nil {
		return fmt.Errorf("sqlite: reset login limit: %w", err)
	}
	return nil
}

// Release gives one attempt back to key's bucket.
func (db *DB) Release(ctx context.Context, key string) error {
	if _, err := db.write.ExecContext(ctx, `UPDATE login_limits SET n = n - 1 WHERE key_hash = ? AND n > 0`, limitKey(key)); err != nil {
		return fmt.Errorf("sqlite: release login attempt: %w", err)
	}
	return nil
}

// Remember marks key as known until until.
func (db *DB) Remember(ctx context.Context, key string, until time.Time) error {
	_, err := db.write.ExecContext(ctx, `INSERT INTO login_known (key_hash, until) VALUES (?, ?)
		ON CONFLICT (key_hash) DO UPDATE SET until = excluded.until`, limitKey(key), until.UnixMilli())
	if err != nil {
		return fmt.Errorf("sqlite: remember login: %w", err)
	}
	return nil
}

// Known reports whether key is known at now.
func (db *DB) Known(ctx context.Context, key string, now time.Time) (bool, error) {
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM login_known WHERE key_hash = ? AND until > ?`, limitKey(key), now.UnixMilli()).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("sqlite: known login: %w", err)
	}
	return n > 0, nil
}
