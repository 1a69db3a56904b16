package postgres

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

// Reserve takes one attempt from every bucket in one transaction. Each
// bucket is one INSERT … ON CONFLICT DO UPDATE, which locks its row until
// the transaction ends, so concurrent reservations from every process
// queue on it and none sees a stale count; buckets are taken in key
// order, so two reservations cannot deadlock. A full bucket rolls back
// the others.
func (db *DB) Reserve(ctx context.Context, buckets []server.LimitBucket, now time.Time) (bool, time.Time, error) {
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return false, time.Time{}, fmt.Errorf("postgres: reserve login: %w", err)
	}
	defer tx.Rollback(ctx)
	bs := append([]server.LimitBucket(nil), buckets...)
	sort.Slice(bs, func(i, j int) bool { return limitKey(bs[i].Key) < limitKey(bs[j].Key) })
	ms := now.UnixMilli()
	for _, b := range bs {
		var n int
		err := tx.QueryRow(ctx, `INSERT INTO login_limits AS l (key_hash, n, reset_at, strikes) VALUES ($1, 1, $2::bigint + $3::bigint, 0)
			ON CONFLICT (key_hash) DO UPDATE SET
				strikes = CASE WHEN l.reset_at <= $2 AND l.n >= $4 AND $5::boolean
					THEN LEAST(l.strikes + 1, $6::int) ELSE l.strikes END,
				reset_at = CASE WHEN l.reset_at <= $2
					THEN $2::bigint + ($3::bigint << (CASE WHEN l.n >= $4 AND $5::boolean THEN LEAST(l.strikes + 1, $6::int) ELSE l.strikes END))
					ELSE l.reset_at END,
				n = CASE WHEN l.reset_at <= $2 THEN 1 ELSE l.n + 1 END
			WHERE l.reset_at <= $2 OR l.n < $4
			RETURNING n`,
			limitKey(b.Key), ms, b.Window.Milliseconds(), b.Max, b.Grow, server.MaxGrowth).Scan(&n)
		if err == nil {
			continue
		}
		if !noRows(err) {
			return false, time.Time{}, fmt.Errorf("postgres: reserve login: %w", err)
		}
		var reset int64
		if err := tx.QueryRow(ctx, `SELECT reset_at FROM login_limits WHERE key_hash = $1`, limitKey(b.Key)).Scan(&reset); err != nil {
			return false, time.Time{}, fmt.Errorf("postgres: reserve login: %w", err)
		}
		return false, time.UnixMilli(reset), nil
	}
	if err := tx.Commit(ctx); err != nil {
		return false, time.Time{}, fmt.Errorf("postgres: reserve login: %w", err)
	}
	// Forget windows that closed a day ago, and grown ones after a week.
	if _, err := db.pool.Exec(ctx, `DELETE FROM login_limits WHERE reset_at < $1 AND (strikes = 0 OR reset_at < $2)`, ms-24*3600*1000, ms-7*24*3600*1000); err != nil {
		return false, time.Time{}, fmt.Errorf("postgres: reserve login: %w", err)
	}
	return true, time.Time{}, nil
}

// Reset empties key's bucket.
func (db *DB) Reset(ctx context.Context, key string) error {
	if _, err := db.pool.Exec(ctx, `DELETE FROM login_limits WHERE key_hash = $1`, limitKey(key)); err != nil {
		return fmt.Errorf("postgres: reset login limit: %w", err)
	}
	return nil
}

// Release gives one attempt back to key's bucket.
func (db *DB) Release(ctx context.Context, key string) error {
	if _, err := db.pool.Exec(ctx, `UPDATE login_limits SET n = n - 1 WHERE key_hash = $1 AND n > 0`, limitKey(key)); err != nil {
		return fmt.Errorf("postgres: release login attempt: %w", err)
	}
	return nil
}

// Remember marks key as known until until.
func (db *DB) Remember(ctx context.Context, key string, until time.Time) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO login_known (key_hash, until) VALUES ($1, $2)
		ON CONFLICT (key_hash) DO UPDATE SET until = excluded.until`, limitKey(key), until.UnixMilli())
	if err != nil {
		return fmt.Errorf("postgres: remember login: %w", err)
	}
	return nil
}

// Known reports whether key is known at now.
func (db *DB) Known(ctx context.Context, key string, now time.Time) (bool, error) {
	var ok bool
	err := db.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM login_known WHERE key_hash = $1 AND until > $2)`, limitKey(key), now.UnixMilli()).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("postgres: known login: %w", err)
	}
	return ok, nil
}
