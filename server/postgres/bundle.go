package postgres

import (
	"context"
	"encoding/json"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/postvakt/postvakt/server"
)

// CreateBundle stores a new version.
func (db *DB) CreateBundle(ctx context.Context, v *server.BundleVersion) error {
	_, err := db.pool.Exec(ctx,
		`INSERT INTO bundles (version, json, etag, rules, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		v.Version, v.JSON, v.ETag, v.Rules, v.CreatedBy, v.CreatedAt)
	if isCode(err, codeUnique) {
		return server.Errorf(server.ECONFLICT, "Version %q exists; versions are immutable.", v.Version)
	}
	return err
}

const bundleCols = `b.version, b.etag, b.rules, b.created_by, b.created_at,
	(SELECT MAX(p.published_at) FROM publications p WHERE p.version = b.version)`

func scanBundle(row pgx.Row, withJSON bool) (*server.BundleVersion, error) {
	var v server.BundleVersion
	var published pgtype.Timestamptz
	dest := []any{&v.Version, &v.ETag, &v.Rules, &v.CreatedBy, &v.CreatedAt, &published}
	if withJSON {
		dest = append(dest, &v.JSON)
	}
	if err := row.Scan(dest...); noRows(err) {
		return nil, server.Errorf(server.ENOTFOUND, "No such bundle version.")
	} else if err != nil {
		return nil, err
	}
	v.CreatedAt = utc(v.CreatedAt)
	if published.Valid {
		v.PublishedAt = utc(published.Time)
	}
	return &v, nil
}

// FindBundle returns one version with its JSON.
func (db *DB) FindBundle(ctx context.Context, version string) (*server.BundleVersion, error) {
	return scanBundle(db.pool.QueryRow(ctx, `SELECT `+bundleCols+`, b.json FROM bundles b WHERE b.version = $1`, version), true)
}

// ListBundles returns every version, newest first, without JSON.
func (db *DB) ListBundles(ctx context.Context) ([]*server.BundleVersion, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+bundleCols+` FROM bundles b ORDER BY b.ord DESC`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*server.BundleVersion
	for rows.Next() {
		v, err := scanBundle(rows, false)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// Publish records a publication of an existing version.
func (db *DB) Publish(ctx context.Context, p server.Publication) error {
	_, err := db.pool.Exec(ctx,
		`INSERT INTO publications (version, published_by, published_at, rollback) VALUES ($1, $2, $3, $4)`,
		p.Version, p.PublishedBy, p.PublishedAt, p.Rollback)
	if isCode(err, codeForeignKey) {
		return server.Errorf(server.ENOTFOUND, "No such bundle version.")
	}
	return err
}

// firstPublishLock is the advisory lock key that serialises PublishFirst
// across processes ("pvfirst" in ASCII).
const firstPublishLock = 0x7076666972737400

// PublishFirst publishes p if nothing was ever published; an advisory
// lock makes the check and the insert atomic across processes.
func (db *DB) PublishFirst(ctx context.Context, p server.Publication) (bool, error) {
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return false, err
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(firstPublishLock)); err != nil {
		return false, err
	}
	var any bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM publications)`).Scan(&any); err != nil || any {
		return false, err
	}
	_, err = tx.Exec(ctx,
		`INSERT INTO publications (version, published_by, published_at, rollback) VALUES ($1, $2, $3, $4)`,
		p.Version, p.PublishedBy, p.PublishedAt, p.Rollback)
	if isCode(err, codeForeignKey) {
		return false, server.Errorf(server.ENOTFOUND, "No such bundle version.")
	}
	if err != nil {
		return false, err
	}
	return true, tx.Commit(ctx)
}

// Published returns the newest publication's version with its JSON.
func (db *DB) Published(ctx context.Context) (*server.BundleVersion, error) {
	v, err := scanBundle(db.pool.QueryRow(ctx,
		`SELECT `+bundleCols+`, b.json FROM bundles b
		 WHERE b.version = (SELECT version FROM publications ORDER BY id DESC LIMIT 1)`), true)
	if server.ErrorCode(err) == server.ENOTFOUND {
		return nil, server.Errorf(server.ENOTFOUND, "No bundle is published.")
	}
	return v, err
}

// Publications returns the history, newest first.
func (db *DB) Publications(ctx context.Context) ([]server.Publication, error) {
	rows, err := db.pool.Query(ctx,
		`SELECT version, published_by, published_at, rollback FROM publications ORDER BY id DESC`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []server.Publication
	for rows.Next() {
		var p server.Publication
		if err := rows.Scan(&p.Version, &p.PublishedBy, &p.PublishedAt, &p.Rollback); err != nil {
			return nil, err
		}
		p.PublishedAt = utc(p.PublishedAt)
		out = append(out, p)
	}
	return out, rows.Err()
}

// Crisis returns the crisis state; never set means inactive.
func (db *DB) Crisis(ctx context.Context) (server.Crisis, error) {
	var c server.Crisis
	var team []byte
	err := db.pool.QueryRow(ctx,
		`SELECT active, message, team, updated_by, updated_at FROM crisis WHERE id = 1`).
		Scan(&c.Active, &c.Message, &team, &c.UpdatedBy, &c.UpdatedAt)
	if noRows(err) {
		return server.Crisis{Team: []string{}}, nil
	} else if err != nil {
		return c, err
	}
	c.UpdatedAt = utc(c.UpdatedAt)
	if err := json.Unmarshal(team, &c.Team); err != nil {
		return c, err
	}
	return c, nil
}

// SetCrisis replaces the crisis state.
func (db *DB) SetCrisis(ctx context.Context, c server.Crisis) error {
	if c.Team == nil {
		c.Team = []string{}
	}
	team, _ := json.Marshal(c.Team)
	_, err := db.pool.Exec(ctx,
		`INSERT INTO crisis (id, active, message, team, updated_by, updated_at) VALUES (1, $1, $2, $3, $4, $5)
		 ON CONFLICT (id) DO UPDATE SET active = excluded.active, message = excluded.message,
		 team = excluded.team, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
		c.Active, c.Message, json.RawMessage(team), c.UpdatedBy, c.UpdatedAt)
	return err
}
