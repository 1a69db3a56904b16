package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/postvakt/postvakt/server"
)

// CreateUser stores u.
func (db *DB) CreateUser(ctx context.Context, u *server.User) error {
	if u.CreatedAt.IsZero() {
		return errors.New("sqlite: CreatedAt required")
	}
	res, err := db.write.ExecContext(ctx,
		`INSERT INTO users (name, unit, roles, password_hash, created_at) VALUES (?, ?, ?, ?, ?)`,
		u.Name, u.Unit, strings.Join(u.Roles, " "), u.PasswordHash, fmtTime(u.CreatedAt))
	if isUnique(err) {
		return server.Errorf(server.ECONFLICT, "User %q exists.", u.Name)
	} else if err != nil {
		return err
	}
	u.ID, err = res.LastInsertId()
	return err
}

func (db *DB) findUser(ctx context.Context, where string, arg any) (*server.User, error) {
	var u server.User
	var roles, created string
	err := db.read.QueryRowContext(ctx,
		`SELECT id, name, unit, roles, password_hash, created_at FROM users WHERE `+where, arg).
		Scan(&u.ID, &u.Name, &u.Unit, &roles, &u.PasswordHash, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, server.Errorf(server.ENOTFOUND, "User not found.")
	} else if err != nil {
		return nil, err
	}
	u.Roles = strings.Fields(roles)
	u.CreatedAt = parseTime(created)
	return &u, nil
}

// FindUserByName returns the user called name.
func (db *DB) FindUserByName(ctx context.Context, name string) (*server.User, error) {
	return db.findUser(ctx, `name = ?`, name)
}

// FindUserByID returns the user with id.
func (db *DB) FindUserByID(ctx context.Context, id int64) (*server.User, error) {
	return db.findUser(ctx, `id = ?`, id)
}

// CreateRefreshToken stores t.
func (db *DB) CreateRefreshToken(ctx context.Context, t *server.RefreshToken) error {
	_, err := db.write.ExecContext(ctx,
		`INSERT INTO refresh_tokens (hash, family, user_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
		t.Hash, t.Family, t.UserID, fmtTime(t.CreatedAt), fmtTime(t.ExpiresAt))
	return err
}

// UseRefreshToken marks a token used; see server.UserStore.
func (db *DB) UseRefreshToken(ctx context.Context, hash string, now time.Time) (*server.RefreshToken, error) {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var t server.RefreshToken
	var created, expires string
	var used sql.NullString
	var revoked bool
	err = tx.QueryRowContext(ctx,
		`SELECT hash, family, user_id, created_at, expires_at, used_at, revoked FROM refresh_tokens WHERE hash = ?`, hash).
		Scan(&t.Hash, &t.Family, &t.UserID, &created, &expires, &used, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, server.Errorf(server.EUNAUTHORIZED, "Unknown refresh token.")
	} else if err != nil {
		return nil, err
	}
	t.CreatedAt, t.ExpiresAt = parseTime(created), parseTime(expires)
	if used.Valid || revoked {
		if _, err := tx.ExecContext(ctx, `UPDATE refresh_tokens SET revoked = 1 WHERE family = ?`, t.Family); err != nil {
			return nil, err
		}
		if err := tx.Commit(); err != nil {
			return nil, err
		}
		return nil, server.Errorf(server.ECONFLICT, "Refresh token was already used; the session is revoked.")
	}
	if !now.Before(t.ExpiresAt) {
		return nil, server.Errorf(server.EUNAUTHORIZED, "Refresh token expired.")
	}
	if _, err := tx.ExecContext(ctx, `UPDATE refresh_tokens SET used_at = ? WHERE hash = ?`, fmtTime(now), hash); err != nil {
		return nil, err
	}
	return &t, tx.Commit()
}

// RevokeFamily revokes every token of family.
func (db *DB) RevokeFamily(ctx context.Context, family string) error {
	_, err := db.write.ExecContext(ctx, `UPDATE refresh_tokens SET revoked = 1 WHERE family = ?`, family)
	return err
}
