package postgres

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
	"github.com/postvakt/postvakt/server"
)

// CreateUser stores u.
func (db *DB) CreateUser(ctx context.Context, u *server.User) error {
	if u.CreatedAt.IsZero() {
		return errors.New("postgres: CreatedAt required")
	}
	err := db.pool.QueryRow(ctx,
		`INSERT INTO users (name, unit, roles, password_hash, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		u.Name, u.Unit, strings.Join(u.Roles, " "), u.PasswordHash, u.CreatedAt).Scan(&u.ID)
	if isCode(err, codeUnique) {
		return server.Errorf(server.ECONFLICT, "User %q exists.", u.Name)
	}
	return err
}

func (db *DB) findUser(ctx context.Context, where string, arg any) (*server.User, error) {
	var u server.User
	var roles string
	err := db.pool.QueryRow(ctx,
		`SELECT id, name, unit, roles, password_hash, created_at FROM users WHERE `+where, arg).
		Scan(&u.ID, &u.Name, &u.Unit, &roles, &u.PasswordHash, &u.CreatedAt)
	if noRows(err) {
		return nil, server.Errorf(server.ENOTFOUND, "User not found.")
	} else if err != nil {
		return nil, err
	}
	u.Roles = strings.Fields(roles)
	u.CreatedAt = utc(u.CreatedAt)
	return &u, nil
}

// FindUserByName returns the user called name.
func (db *DB) FindUserByName(ctx context.Context, name string) (*server.User, error) {
	return db.findUser(ctx, `name = $1`, name)
}

// FindUserByID returns the user with id.
func (db *DB) FindUserByID(ctx context.Context, id int64) (*server.User, error) {
	return db.findUser(ctx, `id = $1`, id)
}

// CreateRefreshToken stores t.
func (db *DB) CreateRefreshToken(ctx context.Context, t *server.RefreshToken) error {
	_, err := db.pool.Exec(ctx,
		`INSERT INTO refresh_tokens (hash, family, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
		t.Hash, t.Family, t.UserID, t.CreatedAt, t.ExpiresAt)
	return err
}

// UseRefreshToken marks a token used; see server.UserStore. The row is
// locked, so two processes presenting the same token cannot both use it.
func (db *DB) UseRefreshToken(ctx context.Context, hash string, now time.Time) (*server.RefreshToken, error) {
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx)
	var t server.RefreshToken
	var used pgtype.Timestamptz
	var revoked bool
	err = tx.QueryRow(ctx,
		`SELECT hash, family, user_id, created_at, expires_at, used_at, revoked FROM refresh_tokens WHERE hash = $1 FOR UPDATE`, hash).
		Scan(&t.Hash, &t.Family, &t.UserID, &t.CreatedAt, &t.ExpiresAt, &used, &revoked)
	if noRows(err) {
		return nil, server.Errorf(server.EUNAUTHORIZED, "Unknown refresh token.")
	} else if err != nil {
		return nil, err
	}
	t.CreatedAt, t.ExpiresAt = utc(t.CreatedAt), utc(t.ExpiresAt)
	if used.Valid || revoked {
		if _, err := tx.Exec(ctx, `UPDATE refresh_tokens SET revoked = true WHERE family = $1`, t.Family); err != nil {
			return nil, err
		}
		if err := tx.Commit(ctx); err != nil {
			return nil, err
		}
		return nil, server.Errorf(server.ECONFLICT, "Refresh token was already used; the session is revoked.")
	}
	if !now.Before(t.ExpiresAt) {
		return nil, server.Errorf(server.EUNAUTHORIZED, "Refresh token expired.")
	}
	if _, err := tx.Exec(ctx, `UPDATE refresh_tokens SET used_at = $1 WHERE hash = $2`, now, hash); err != nil {
		return nil, err
	}
	return &t, tx.Commit(ctx)
}

// RevokeFamily revokes every token of family.
func (db *DB) RevokeFamily(ctx context.Context, family string) error {
	_, err := db.pool.Exec(ctx, `UPDATE refresh_tokens SET revoked = true WHERE family = $1`, family)
	return err
}
