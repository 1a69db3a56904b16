package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/postvakt/postvakt/server"
	"github.com/postvakt/postvakt/shared/audit"
)

// CreateUser stores u and gives it a stamp.
func (db *DB) CreateUser(ctx context.Context, u *server.User) error {
	if u.CreatedAt.IsZero() {
		return errors.New("sqlite: CreatedAt required")
	}
	u.Stamp = server.NewStamp()
	res, err := db.write.ExecContext(ctx,
		`INSERT INTO users (name, unit, roles, password_hash, created_at, disabled, stamp) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		u.Name, u.Unit, strings.Join(u.Roles, " "), u.PasswordHash, fmtTime(u.CreatedAt), u.Disabled, u.Stamp)
	if isUnique(err) {
		return server.Errorf(server.ECONFLICT, "User %q exists.", u.Name)
	} else if err != nil {
		return fmt.Errorf("sqlite: create user: %w", err)
	}
	u.ID, err = res.LastInsertId()
	return err
}

const userColumns = `id, name, unit, roles, password_hash, created_at, disabled, stamp, last_login`

type scanner interface{ Scan(dest ...any) error }

func scanUser(row scanner) (*server.User, error) {
	var u server.User
	var roles, created string
	var last sql.NullString
	if err := row.Scan(&u.ID, &u.Name, &u.Unit, &roles, &u.PasswordHash, &created, &u.Disabled, &u.Stamp, &last); err != nil {
		return nil, err
	}
	u.Roles = strings.Fields(roles)
	u.CreatedAt = parseTime(created)
	if last.Valid {
		u.LastLogin = parseTime(last.String)
	}
	return &u, nil
}

func (db *DB) findUser(ctx context.Context, where string, arg any) (*server.User, error) {
	u, err := scanUser(db.read.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, server.Errorf(server.ENOTFOUND, "User not found.")
	} else if err != nil {
		return nil, fmt.Errorf("sqlite: find user: %w", err)
	}
	return u, nil
}

// FindUserByName returns the user called name.
func (db *DB) FindUserByName(ctx context.Context, name string) (*server.User, error) {
	return db.findUser(ctx, `name = ?`, name)
}

// FindUserByID returns the user with id.
func (db *DB) FindUserByID(ctx context.Context, id int64) (*server.User, error) {
	return db.findUser(ctx, `id = ?`, id)
}

// ListUsers returns every account by name.
func (db *DB) ListUsers(ctx context.Context) ([]*server.User, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+userColumns+` FROM users ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list users: %w", err)
	}
	defer rows.Close()
	var us []*server.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: list users: %w", err)
		}
		us = append(us, u)
	}
	return us, rows.Err()
}

// UpdateUser stores u's access, gives it a new stamp and ends its
// sessions and refresh tokens, in one transaction.
func (db *DB) UpdateUser(ctx context.Context, u *server.User, record []audit.Entry, now time.Time) error {
	if len(record) > 0 && db.Signer == nil {
		return errors.New("sqlite: no checkpoint signer")
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: update user: %w", err)
	}
	defer tx.Rollback()
	stamp := server.NewStamp()
	res, err := tx.ExecContext(ctx, `UPDATE users SET unit = ?, roles = ?, disabled = ?, password_hash = ?, stamp = ? WHERE id = ?`,
		u.Unit, strings.Join(u.Roles, " "), u.Disabled, u.PasswordHash, stamp, u.ID)
	if err != nil {
		return fmt.Errorf("sqlite: update user: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return server.Errorf(server.ENOTFOUND, "User not found.")
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, u.ID); err != nil {
		return fmt.Errorf("sqlite: update user: end sessions: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE refresh_tokens SET revoked = 1 WHERE user_id = ? AND revoked = 0`, u.ID); err != nil {
		return fmt.Errorf("sqlite: update user: revoke tokens: %w", err)
	}
	if len(record) > 0 {
		if _, err := db.appendTx(ctx, tx, record, now); err != nil {
			return fmt.Errorf("sqlite: update user: audit: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: update user: %w", err)
	}
	u.Stamp = stamp
	return nil
}

// SetLastLogin records a sign-in.
func (db *DB) SetLastLogin(ctx context.Context, id int64, at time.Time) error {
	if _, err := db.write.ExecContext(ctx, `UPDATE users SET last_login = ? WHERE id = ?`, fmtTime(at), id); err != nil {
		return fmt.Errorf("sqlite: set last login: %w", err)
	}
	return nil
}

// SetResetCode stores a password-reset code's hash for the account.
func (db *DB) SetResetCode(ctx context.Context, id int64, hash string, expires time.Time) error {
	res, err := db.write.ExecContext(ctx, `UPDATE users SET reset_hash = ?, reset_expires = ? WHERE id = ?`, hash, fmtTime(expires), id)
	if err != nil {
		return fmt.Errorf("sqlite: set reset code: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return server.Errorf(server.ENOTFOUND, "User not found.")
	}
	return nil
}

// UseResetCode returns the account with an unexpired code of hash and
// forgets the code.
func (db *DB) UseResetCode(ctx context.Context, hash string, now time.Time) (*server.User, error) {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("sqlite: use reset code: %w", err)
	}
	defer tx.Rollback()
	u, err := scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE reset_hash = ? AND reset_expires > ?`, hash, fmtTime(now)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, server.Errorf(server.ENOTFOUND, "The code is unknown, used or expired.")
	} else if err != nil {
		return nil, fmt.Errorf("sqlite: use reset code: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE users SET reset_hash = NULL, reset_expires = NULL WHERE id = ?`, u.ID); err != nil {
		return nil, fmt.Errorf("sqlite: use reset code: %w", err)
	}
	return u, tx.Commit()
}

// CreateSession stores a page session.
func (db *DB) CreateSession(ctx context.Context, s *server.Session) error {
	_, err := db.write.ExecContext(ctx, `INSERT INTO sessions (hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)`,
		s.Hash, s.UserID, fmtTime(s.CreatedAt), fmtTime(s.ExpiresAt))
	if err != nil {
		return fmt.Errorf("sqlite: create session: %w", err)
	}
	// Forget sessions that expired a day ago.
	if _, err := db.write.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at < ?`, fmtTime(s.CreatedAt.Add(-24*time.Hour))); err != nil {
		return fmt.Errorf("sqlite: create session: %w", err)
	}
	return nil
}

// FindSession returns an unexpired session.
func (db *DB) FindSession(ctx context.Context, hash string, now time.Time) (*server.Session, error) {
	var s server.Session
	var created, expires string
	err := db.read.QueryRowContext(ctx, `SELECT hash, user_id, created_at, expires_at FROM sessions WHERE hash = ? AND expires_at > ?`, hash, fmtTime(now)).
		Scan(&s.Hash, &s.UserID, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, server.Errorf(server.EUNAUTHORIZED, "The session has ended.")
	} else if err != nil {
		return nil, fmt.Errorf("sqlite: find session: %w", err)
	}
	s.CreatedAt, s.ExpiresAt = parseTime(created), parseTime(expires)
	return &s, nil
}

// DeleteSession ends a session.
func (db *DB) DeleteSession(ctx context.Context, hash string) error {
	if _, err := db.write.ExecContext(ctx, `DELETE FROM sessions WHERE hash = ?`, hash); err != nil {
		return fmt.Errorf("sqlite: delete session: %w", err)
	}
	return nil
}

// CreateRefreshToken stores t.
func (db *DB) CreateRefreshToken(ctx context.Context, t *server.RefreshToken) error {
	_, err := db.write.ExecContext(ctx,
		`INSERT INTO refresh_tokens (hash, family, user_id, created_at, expires_at, stamp) VALUES (?, ?, ?, ?, ?, ?)`,
		t.Hash, t.Family, t.UserID, fmtTime(t.CreatedAt), fmtTime(t.ExpiresAt), t.Stamp)
	if err != nil {
		return fmt.Errorf("sqlite: create refresh token: %w", err)
	}
	return nil
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
		`SELECT hash, family, user_id, created_at, expires_at, used_at, revoked, stamp FROM refresh_tokens WHERE hash = ?`, hash).
		Scan(&t.Hash, &t.Family, &t.UserID, &created, &expires, &used, &revoked, &t.Stamp)
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
