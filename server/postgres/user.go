package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/postvakt/postvakt/server"
	"github.com/postvakt/postvakt/shared/audit"
)

// CreateUser stores u and gives it a stamp.
func (db *DB) CreateUser(ctx context.Context, u *server.User) error {
	if u.CreatedAt.IsZero() {
		return errors.New("postgres: CreatedAt required")
	}
	u.Stamp = server.NewStamp()
	err := db.pool.QueryRow(ctx,
		`INSERT INTO users (name, unit, roles, password_hash, created_at, disabled, stamp) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		u.Name, u.Unit, strings.Join(u.Roles, " "), u.PasswordHash, u.CreatedAt, u.Disabled, u.Stamp).Scan(&u.ID)
	if isCode(err, codeUnique) {
		return server.Errorf(server.ECONFLICT, "User %q exists.", u.Name)
	} else if err != nil {
		return fmt.Errorf("postgres: create user: %w", err)
	}
	return nil
}

const userColumns = `id, name, unit, roles, password_hash, created_at, disabled, stamp, last_login`

func scanUser(row pgx.Row) (*server.User, error) {
	var u server.User
	var roles string
	var last pgtype.Timestamptz
	if err := row.Scan(&u.ID, &u.Name, &u.Unit, &roles, &u.PasswordHash, &u.CreatedAt, &u.Disabled, &u.Stamp, &last); err != nil {
		return nil, err
	}
	u.Roles = strings.Fields(roles)
	u.CreatedAt = utc(u.CreatedAt)
	if last.Valid {
		u.LastLogin = utc(last.Time)
	}
	return &u, nil
}

func (db *DB) findUser(ctx context.Context, where string, arg any) (*server.User, error) {
	u, err := scanUser(db.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE `+where, arg))
	if noRows(err) {
		return nil, server.Errorf(server.ENOTFOUND, "User not found.")
	} else if err != nil {
		return nil, fmt.Errorf("postgres: find user: %w", err)
	}
	return u, nil
}

// FindUserByName returns the user called name.
func (db *DB) FindUserByName(ctx context.Context, name string) (*server.User, error) {
	return db.findUser(ctx, `name = $1`, name)
}

// FindUserByID returns the user with id.
func (db *DB) FindUserByID(ctx context.Context, id int64) (*server.User, error) {
	return db.findUser(ctx, `id = $1`, id)
}

// ListUsers returns every account by name.
func (db *DB) ListUsers(ctx context.Context) ([]*server.User, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+userColumns+` FROM users ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("postgres: list users: %w", err)
	}
	defer rows.Close()
	var us []*server.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("postgres: list users: %w", err)
		}
		us = append(us, u)
	}
	return us, rows.Err()
}

// UpdateUser stores u's access, gives it a new stamp and ends its
// sessions and refresh tokens, in one transaction.
func (db *DB) UpdateUser(ctx context.Context, u *server.User, record []audit.Entry, now time.Time) error {
	if len(record) > 0 && db.Signer == nil {
		return errors.New("postgres: no checkpoint signer")
	}
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("postgres: update user: %w", err)
	}
	defer tx.Rollback(ctx)
	stamp := server.NewStamp()
	tag, err := tx.Exec(ctx, `UPDATE users SET unit = $1, roles = $2, disabled = $3, password_hash = $4, stamp = $5 WHERE id = $6`,
		u.Unit, strings.Join(u.Roles, " "), u.Disabled, u.PasswordHash, stamp, u.ID)
	if err != nil {
		return fmt.Errorf("postgres: update user: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return server.Errorf(server.ENOTFOUND, "User not found.")
	}
	if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE user_id = $1`, u.ID); err != nil {
		return fmt.Errorf("postgres: update user: end sessions: %w", err)
	}
	if _, err := tx.Exec(ctx, `UPDATE refresh_tokens SET revoked = true WHERE user_id = $1 AND NOT revoked`, u.ID); err != nil {
		return fmt.Errorf("postgres: update user: revoke tokens: %w", err)
	}
	if len(record) > 0 {
		if _, err := db.appendTx(ctx, tx, record, now); err != nil {
			return fmt.Errorf("postgres: update user: audit: %w", err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("postgres: update user: %w", err)
	}
	u.Stamp = stamp
	return nil
}

// SetLastLogin records a sign-in.
func (db *DB) SetLastLogin(ctx context.Context, id int64, at time.Time) error {
	if _, err := db.pool.Exec(ctx, `UPDATE users SET last_login = $1 WHERE id = $2`, at, id); err != nil {
		return fmt.Errorf("postgres: set last login: %w", err)
	}
	return nil
}

// SetResetCode stores a password-reset code's hash for the account.
func (db *DB) SetResetCode(ctx context.Context, id int64, hash string, expires time.Time) error {
	tag, err := db.pool.Exec(ctx, `UPDATE users SET reset_hash = $1, reset_expires = $2 WHERE id = $3`, hash, expires, id)
	if err != nil {
		return fmt.Errorf("postgres: set reset code: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return server.Errorf(server.ENOTFOUND, "User not found.")
	}
	return nil
}

// UseResetCode returns the account with an unexpired code of hash and
// forgets the code, in one statement.
func (db *DB) UseResetCode(ctx context.Context, hash string, now time.Time) (*server.User, error) {
	u, err := scanUser(db.pool.QueryRow(ctx, `UPDATE users SET reset_hash = NULL, reset_expires = NULL
		WHERE reset_hash = $1 AND reset_expires > $2 RETURNING `+userColumns, hash, now))
	if noRows(err) {
		return nil, server.Errorf(server.ENOTFOUND, "The code is unknown, used or expired.")
	} else if err != nil {
		return nil, fmt.Errorf("postgres: use reset code: %w", err)
	}
	return u, nil
}

// CreateSession stores a page session.
func (db *DB) CreateSession(ctx context.Context, s *server.Session) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO sessions (hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)`,
		s.Hash, s.UserID, s.CreatedAt, s.ExpiresAt)
	if err != nil {
		return fmt.Errorf("postgres: create session: %w", err)
	}
	if _, err := db.pool.Exec(ctx, `DELETE FROM sessions WHERE expires_at < $1`, s.CreatedAt.Add(-24*time.Hour)); err != nil {
		return fmt.Errorf("postgres: create session: %w", err)
	}
	return nil
}

// FindSession returns an unexpired session.
func (db *DB) FindSession(ctx context.Context, hash string, now time.Time) (*server.Session, error) {
	var s server.Session
	err := db.pool.QueryRow(ctx, `SELECT hash, user_id, created_at, expires_at FROM sessions WHERE hash = $1 AND expires_at > $2`, hash, now).
		Scan(&s.Hash, &s.UserID, &s.CreatedAt, &s.ExpiresAt)
	if noRows(err) {
		return nil, server.Errorf(server.EUNAUTHORIZED, "The session has ended.")
	} else if err != nil {
		return nil, fmt.Errorf("postgres: find session: %w", err)
	}
	s.CreatedAt, s.ExpiresAt = utc(s.CreatedAt), utc(s.ExpiresAt)
	return &s, nil
}

// DeleteSession ends a session.
func (db *DB) DeleteSession(ctx context.Context, hash string) error {
	if _, err := db.pool.Exec(ctx, `DELETE FROM sessions WHERE hash = $1`, hash); err != nil {
		return fmt.Errorf("postgres: delete session: %w", err)
	}
	return nil
}

// CreateRefreshToken stores t.
func (db *DB) CreateRefreshToken(ctx context.Context, t *server.RefreshToken) error {
	_, err := db.pool.Exec(ctx,
		`INSERT INTO refresh_tokens (hash, family, user_id, created_at, expires_at, stamp) VALUES ($1, $2, $3, $4, $5, $6)`,
		t.Hash, t.Family, t.UserID, t.CreatedAt, t.ExpiresAt, t.Stamp)
	if err != nil {
		return fmt.Errorf("postgres: create refresh token: %w", err)
	}
	return nil
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
		`SELECT hash, family, user_id, created_at, expires_at, used_at, revoked, stamp FROM refresh_tokens WHERE hash = $1 FOR UPDATE`, hash).
		Scan(&t.Hash, &t.Family, &t.UserID, &t.CreatedAt, &t.ExpiresAt, &used, &revoked, &t.Stamp)
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
