package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"github.com/postvakt/postvakt/server"
)

// CreateBundle stores a new version.
func (db *DB) CreateBundle(ctx context.Context, v *server.BundleVersion) error {
	_, err := db.write.ExecContext(ctx,
		`INSERT INTO bundles (version, json, etag, rules, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		v.Version, v.JSON, v.ETag, v.Rules, v.CreatedBy, fmtTime(v.CreatedAt))
	if isUnique(err) {
		return server.Errorf(server.ECONFLICT, "Version %q exists; versions are immutable.", v.Version)
	}
	return err
}

const bundleCols = `b.version, b.etag, b.rules, b.created_by, b.created_at,
	(SELECT MAX(p.published_at) FROM publications p WHERE p.version = b.version)`

func scanBundle(row interface{ Scan(...any) error }, withJSON bool) (*server.BundleVersion, error) {
	var v server.BundleVersion
	var created string
	var published sql.NullString
	dest := []any{&v.Version, &v.ETag, &v.Rules, &v.CreatedBy, &created, &published}
	if withJSON {
		dest = append(dest, &v.JSON)
	}
	if err := row.Scan(dest...); errors.Is(err, sql.ErrNoRows) {
		return nil, server.Errorf(server.ENOTFOUND, "No such bundle version.")
	} else if err != nil {
		return nil, err
	}
	v.CreatedAt = parseTime(created)
	if published.Valid {
		v.PublishedAt = parseTime(published.String)
	}
	return &v, nil
}

// FindBundle returns one version with its JSON.
func (db *DB) FindBundle(ctx context.Context, version string) (*server.BundleVersion, error) {
	return scanBundle(db.read.QueryRowContext(ctx,
		`SELECT `+bundleCols+`, b.json FROM bundles b WHERE b.version = ?`, version), true)
}

// ListBundles returns every version, newest first, without JSON.
func (db *DB) ListBundles(ctx context.Context) ([]*server.BundleVersion, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+bundleCols+` FROM bundles b ORDER BY b.rowid DESC`)
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
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM bundles WHERE version = ?`, p.Version).Scan(&n); err != nil {
		return err
	} else if n == 0 {
		return server.Errorf(server.ENOTFOUND, "No such bundle version.")
	}
	if _, err := tx.ExecContext(ctx,
		`INSERT INTO publications (version, published_by, published_at, rollback) VALUES (?, ?, ?, ?)`,
		p.Version, p.PublishedBy, fmtTime(p.PublishedAt), p.Rollback); err != nil {
		return err
	}
	return tx.Commit()
}

// PublishFirst publishes p if nothing was ever published. SQLite has one
// writer, so the check and the insert in one transaction are atomic.
func (db *DB) PublishFirst(ctx context.Context, p server.Publication) (bool, error) {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM publications`).Scan(&n); err != nil || n > 0 {
		return false, err
	}
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM bundles WHERE version = ?`, p.Version).Scan(&n); err != nil {
		return false, err
	} else if n == 0 {
		return false, server.Errorf(server.ENOTFOUND, "No such bundle version.")
	}
	if _, err := tx.ExecContext(ctx,
		`INSERT INTO publications (version, published_by, published_at, rollback) VALUES (?, ?, ?, ?)`,
		p.Version, p.PublishedBy, fmtTime(p.PublishedAt), p.Rollback); err != nil {
		return false, err
	}
	return true, tx.Commit()
}

// Published returns the newest publication's version with its JSON.
func (db *DB) Published(ctx context.Context) (*server.BundleVersion, error) {
	v, err := scanBundle(db.read.QueryRowContext(ctx,
		`SELECT `+bundleCols+`, b.json FROM bundles b
		 WHERE b.version = (SELECT version FROM publications ORDER BY id DESC LIMIT 1)`), true)
	if server.ErrorCode(err) == server.ENOTFOUND {
		return nil, server.Errorf(server.ENOTFOUND, "No bundle is published.")
	}
	return v, err
}

// Publications returns the history, newest first.
func (db *DB) Publications(ctx context.Context) ([]server.Publication, error) {
	rows, err := db.read.QueryContext(ctx,
		`SELECT version, published_by, published_at, rollback FROM publications ORDER BY id DESC`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []server.Publication
	for rows.Next() {
		var p server.Publication
		var at string
		if err := rows.Scan(&p.Version, &p.PublishedBy, &at, &p.Rollback); err != nil {
			return nil, err
		}
		p.PublishedAt = parseTime(at)
		out = append(out, p)
	}
	return out, rows.Err()
}

// Crisis returns the crisis state; never set means inactive.
func (db *DB) Crisis(ctx context.Context) (server.Crisis, error) {
	var c server.Crisis
	var team, at string
	err := db.read.QueryRowContext(ctx,
		`SELECT active, message, team, updated_by, updated_at FROM crisis WHERE id = 1`).
		Scan(&c.Active, &c.Message, &team, &c.UpdatedBy, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return server.Crisis{Team: []string{}}, nil
	} else if err != nil {
		return c, err
	}
	c.UpdatedAt = parseTime(at)
	if err := json.Unmarshal([]byte(team), &c.Team); err != nil {
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
	_, err := db.write.ExecContext(ctx,
		`INSERT INTO crisis (id, active, message, team, updated_by, updated_at) VALUES (1, ?, ?, ?, ?, ?)
		 ON CONFLICT (id) DO UPDATE SET active = excluded.active, message = excluded.message,
		 team = excluded.team, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
		c.Active, c.Message, string(team), c.UpdatedBy, fmtTime(c.UpdatedAt))
	return err
}
