package sqlite

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/postvakt/postvakt/server"
)

// Apply commits c and its audit entries in one transaction. SQLite has
// one writer and transactions begin IMMEDIATE, so checking that there is
// no account and creating the first ones cannot interleave with another
// writer.
func (db *DB) Apply(ctx context.Context, c server.Change, now time.Time) error {
	if len(c.Record) > 0 && db.Signer == nil {
		return errors.New("sqlite: apply: no checkpoint signer")
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: apply: %w", err)
	}
	defer tx.Rollback()
	if len(c.FirstUsers) > 0 {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n); err != nil {
			return fmt.Errorf("sqlite: apply: count users: %w", err)
		} else if n > 0 {
			return server.Errorf(server.ECONFLICT, "Postvakt is already set up: an account exists.")
		}
		for _, u := range c.FirstUsers {
			if u.CreatedAt.IsZero() {
				u.CreatedAt = now
			}
			stamp := server.NewStamp()
			res, err := tx.ExecContext(ctx,
				`INSERT INTO users (name, unit, roles, password_hash, created_at, disabled, stamp) VALUES (?, ?, ?, ?, ?, ?, ?)`,
				u.Name, u.Unit, strings.Join(u.Roles, " "), u.PasswordHash, fmtTime(u.CreatedAt), u.Disabled, stamp)
			if isUnique(err) {
				return server.Errorf(server.ECONFLICT, "User %q exists.", u.Name)
			} else if err != nil {
				return fmt.Errorf("sqlite: apply: create user: %w", err)
			}
			if u.ID, err = res.LastInsertId(); err != nil {
				return fmt.Errorf("sqlite: apply: create user: %w", err)
			}
			u.Stamp = stamp
		}
	}
	if v := c.Bundle; v != nil {
		_, err := tx.ExecContext(ctx,
			`INSERT INTO bundles (version, json, etag, rules, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			v.Version, v.JSON, v.ETag, v.Rules, v.CreatedBy, fmtTime(v.CreatedAt))
		if isUnique(err) {
			return server.Errorf(server.ECONFLICT, "Version %q exists; versions are immutable.", v.Version)
		} else if err != nil {
			return fmt.Errorf("sqlite: apply: create bundle: %w", err)
		}
	}
	if p := c.Publish; p != nil {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM bundles WHERE version = ?`, p.Version).Scan(&n); err != nil {
			return fmt.Errorf("sqlite: apply: find bundle: %w", err)
		} else if n == 0 {
			return server.Errorf(server.ENOTFOUND, "No such bundle version.")
		}
		if _, err := tx.ExecContext(ctx,
			`INSERT INTO publications (version, published_by, published_at, rollback) VALUES (?, ?, ?, ?)`,
			p.Version, p.PublishedBy, fmtTime(p.PublishedAt), p.Rollback); err != nil {
			return fmt.Errorf("sqlite: apply: publish: %w", err)
		}
	}
	if cr := c.Crisis; cr != nil {
		team := cr.Team
		if team == nil {
			team = []string{}
		}
		tj, _ := json.Marshal(team)
		if _, err := tx.ExecContext(ctx,
			`INSERT INTO crisis (id, active, message, team, updated_by, updated_at) VALUES (1, ?, ?, ?, ?, ?)
			 ON CONFLICT (id) DO UPDATE SET active = excluded.active, message = excluded.message,
			 team = excluded.team, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
			cr.Active, cr.Message, string(tj), cr.UpdatedBy, fmtTime(cr.UpdatedAt)); err != nil {
			return fmt.Errorf("sqlite: apply: crisis: %w", err)
		}
	}
	if len(c.Record) > 0 {
		if _, err := db.appendTx(ctx, tx, c.Record, now); err != nil {
			return fmt.Errorf("sqlite: apply: audit: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: apply: %w", err)
	}
	return nil
}
