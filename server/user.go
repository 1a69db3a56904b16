package server

import (
	"context"
	"slices"
	"time"
)

// Roles. One user may have several.
const (
	RoleStaff      = "staff"
	RoleAdmin      = "admin"
	RoleCompliance = "compliance"
)

// Roles lists every role.
var Roles = []string{RoleStaff, RoleAdmin, RoleCompliance}

// User is a local account.
type User struct {
	ID    int64
	Name  string
	Unit  string
	Roles []string
	// PasswordHash is a bcrypt hash.
	PasswordHash []byte
	CreatedAt    time.Time
}

// HasRole reports whether u has role r.
func (u *User) HasRole(r string) bool { return slices.Contains(u.Roles, r) }

// RefreshToken is one issued refresh token. Only its SHA-256 is stored.
// Tokens of one login form a family: using a token replaces it with a new
// one of the same family, and presenting a used token revokes the family.
type RefreshToken struct {
	Hash      string
	Family    string
	UserID    int64
	CreatedAt time.Time
	ExpiresAt time.Time
}

// UserStore keeps accounts and refresh tokens.
type UserStore interface {
	// CreateUser stores u and sets its ID; ECONFLICT if the name is taken.
	CreateUser(ctx context.Context, u *User) error
	// FindUserByName returns ENOTFOUND when there is no such user.
	FindUserByName(ctx context.Context, name string) (*User, error)
	FindUserByID(ctx context.Context, id int64) (*User, error)

	CreateRefreshToken(ctx context.Context, t *RefreshToken) error
	// UseRefreshToken marks the token with hash used and returns it. A
	// token that is unknown or expired gives EUNAUTHORIZED; one that was
	// used before or whose family is revoked gives ECONFLICT and revokes
	// the whole family (a stolen token was replayed).
	UseRefreshToken(ctx context.Context, hash string, now time.Time) (*RefreshToken, error)
	// RevokeFamily revokes every token of a family.
	RevokeFamily(ctx context.Context, family string) error
}

// LoginLimiter counts failed sign-ins per key (a user name, an address) in
// fixed windows. The server keeps one in memory by default; a store that
// several processes share implements it so the limit holds across them.
// Keys may name a person or an address; an implementation that stores
// them keeps only a hash and forgets expired windows.
type LoginLimiter interface {
	// Blocked reports whether key has max or more failures in its window.
	Blocked(ctx context.Context, key string, max int, now time.Time) (bool, error)
	// Fail records a failure; a key with no open window opens one of per.
	Fail(ctx context.Context, key string, per time.Duration, now time.Time) error
	// Clear forgets key's failures (after a successful sign-in).
	Clear(ctx context.Context, key string) error
}
