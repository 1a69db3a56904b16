package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/postvakt/postvakt/server"
)

// Apply commits c and its audit entries in one transaction. For the
// first accounts it locks the users table against every other writer
// (SHARE ROW EXCLUSIVE conflicts with itself and with inserts), so two
// processes cannot both find it empty.
func (db *DB) Apply(ctx context.Context, c server.Change, now time.Time) error {
	if len(c.Record) > 0 && db.Signer == nil {
		return errors.New("postgres: apply: no checkpoint signer")
	}
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("postgres: apply: %w", err)
	}
	defer tx.Rollback(ctx)
	if len(c.FirstUsers) > 0 {
		if _, err := tx.Exec(ctx, `LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE`); err != nil {
			return fmt.Errorf("postgres: apply: lock users: %w", err)
		}
		var any bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM users)`).Scan(&any); err != nil {
			return fmt.Errorf("postgres: apply: count users: %w", err)
		} else if any {
			return server.Errorf(server.ECONFLICT, "Postvakt is already set up: an account exists.")
		}
		for _, u := range c.FirstUsers {
			if u.CreatedAt.IsZero() {
				u.CreatedAt = now
			}
			stamp := server.NewStamp()
			err := tx.QueryRow(ctx,
				`INSERT INTO users (name, unit, roles, password_hash, created_at, disabled, stamp) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
				u.Name, u.Unit, strings.Join(u.Roles, " "), u.PasswordHash, u.CreatedAt, u.Disabled, stamp).Scan(&u.ID)
			if isCode(err, codeUnique) {
				return server.Errorf(server.ECONFLICT, "User %q exists.", u.Name)
			} else if err != nil {
				return fmt.Errorf("postgres: apply: create user: %w", err)
			}
			u.Stamp = stamp
		}
	}
	if v := c.Bundle; v != nil {
		_, err := tx.Exec(ctx,
			`INSERT INTO bundles (version, json, etag, rules, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
			v.Version, v.JSON, v.ETag, v.Rules, v.CreatedBy, v.CreatedAt)
		if isCode(err, codeUnique) {
			return server.Errorf(server.ECONFLICT, "Version %q exists; versions are immutable.", v.Version)
		} else if err != nil {
			return fmt.Errorf("postgres: apply: create bundle: %w", err)
		}
	}
	if p := c.Publish; p != nil {
		_, err := tx.Exec(ctx,
			`INSERT INTO publications (version, published_by, published_at, rollback) VALUES ($1, $2, $3, $4)`,
			p.Version, p.PublishedBy, p.PublishedAt, p.Rollback)
		if isCode(err, codeForeignKey) {
			return server.Errorf(server.ENOTFOUND, "No such bundle version.")
		} else if err != nil {
			return fmt.Errorf("postgres: apply: publish: %w", err)
		}
	}
	if cr := c.Crisis; cr != nil {
		team := cr.Team
		if team == nil {
			team = []string{}
		}
		tj, _ := json.Marshal(team)
		if _, err := tx.Exec(ctx,
			`INSERT INTO crisis (id, active, message, team, updated_by, updated_at) VALUES (1, $1, $2, $3, $4, $5)
			 ON CONFLICT (id) DO UPDATE SET active = excluded.active, message = excluded.message,
			 team = excluded.team, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
			cr.Active, cr.Message, json.RawMessage(tj), cr.UpdatedBy, cr.UpdatedAt); err != nil {
			return fmt.Errorf("postgres: apply: crisis: %w", err)
		}
	}
	if len(c.Record) > 0 {
		if _, err := db.appendTx(ctx, tx, c.Record, now); err != nil {
			return fmt.Errorf("postgres: apply: audit: %w", err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("postgres: apply: %w", err)
	}
	return nil
}
