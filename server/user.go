package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"slices"
	"time"

	"github.com/postvakt/postvakt/shared/audit"
)

// Roles. One user may have several.
const (
	RoleStaff      = "staff"
	RoleAdmin      = "admin"
	RoleCompliance = "compliance"
	// RoleArkiv reads, exports and files the posts saved for
	// journalføring (see JournalStore).
	RoleArkiv = "arkiv"
)

// Roles lists every role.
var Roles = []string{RoleStaff, RoleAdmin, RoleCompliance, RoleArkiv}

// User is a local account.
type User struct {
	ID    int64
	Name  string
	Unit  string
	Roles []string
	// PasswordHash is a bcrypt hash.
	PasswordHash []byte
	CreatedAt    time.Time
	// Disabled accounts cannot sign in, and their tokens, sessions and
	// event streams end.
	Disabled bool
	// Stamp is a random value that the store replaces whenever the
	// account's access changes (UpdateUser: disabled or enabled, roles,
	// unit, password). Every token and page session carries the stamp it
	// was issued under and is refused once it no longer matches. Being
	// random, it also tells apart an account that somehow got the id of a
	// deleted one.
	Stamp string
	// LastLogin is the last successful sign-in (zero: never).
	LastLogin time.Time
}

// Session is a page session (the admin and compliance pages). Only the
// SHA-256 of its id is stored; signing out deletes it.
type Session struct {
	Hash      string
	UserID    int64
	CreatedAt time.Time
	ExpiresAt time.Time
}

// HasRole reports whether u has role r.
func (u *User) HasRole(r string) bool { return slices.Contains(u.Roles, r) }

// RefreshToken is one issued refresh token. Only its SHA-256 is stored.
// Tokens of one login form a family: using a token replaces it with a new
// one of the same family, and presenting a used token revokes the family.
type RefreshToken struct {
	Hash   string
	Family string
	UserID int64
	// Stamp is the account's Stamp when the family was signed in; the
	// server refuses the token once the account's stamp has changed.
	Stamp     string
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
	// ListUsers returns every account, by name.
	ListUsers(ctx context.Context) ([]*User, error)
	// UpdateUser stores u's unit, roles, disabled flag and password hash,
	// gives it a new Stamp (set in u) and, in the same transaction, ends
	// its page sessions, revokes its refresh tokens and appends record
	// (audit entries saying who changed what; may be empty) to the audit
	// log received at now, so a change is never without its entry.
	// ENOTFOUND when there is no account with u.ID. Ids are never reused,
	// also after a row was deleted.
	UpdateUser(ctx context.Context, u *User, record []audit.Entry, now time.Time) error
	// SetLastLogin records a successful sign-in.
	SetLastLogin(ctx context.Context, id int64, at time.Time) error
	// SetResetCode stores the SHA-256 of a one-time password-reset code
	// for the account, valid until expires; a new code replaces the old.
	SetResetCode(ctx context.Context, id int64, hash string, expires time.Time) error
	// UseResetCode returns the account whose unexpired code has hash and
	// forgets the code, so it works once; ENOTFOUND otherwise.
	UseResetCode(ctx context.Context, hash string, now time.Time) (*User, error)

	CreateSession(ctx context.Context, s *Session) error
	// FindSession returns the unexpired session with hash, or
	// EUNAUTHORIZED.
	FindSession(ctx context.Context, hash string, now time.Time) (*Session, error)
	// DeleteSession ends a session (sign-out); an unknown hash is no error.
	DeleteSession(ctx context.Context, hash string) error

	CreateRefreshToken(ctx context.Context, t *RefreshToken) error
	// UseRefreshToken marks the token with hash used and returns it. A
	// token that is unknown or expired gives EUNAUTHORIZED; one that was
	// used before or whose family is revoked gives ECONFLICT and revokes
	// the whole family (a stolen token was replayed).
	UseRefreshToken(ctx context.Context, hash string, now time.Time) (*RefreshToken, error)
	// RevokeFamily revokes every token of a family.
	RevokeFamily(ctx context.Context, family string) error
}

// LimitBucket is one counter of sign-in attempts: at most Max in a
// window that opens at the first attempt. With Grow, a window that filled
// up makes the next one twice as long (up to 64 times Window), so a
// guesser who keeps coming back waits longer each time; a successful
// sign-in (Reset) starts over.
type LimitBucket struct {
	Key    string
	Max    int
	Window time.Duration
	Grow   bool
}

// MaxGrowth caps how many times a growing window doubles.
const MaxGrowth = 6

// LoginLimiter counts sign-in attempts. An attempt is reserved before the
// password is compared, so parallel requests cannot all slip past a
// check made before any of them was counted. The server keeps one in
// memory by default; the stores implement it so that the limit holds
// across the processes that share them. Keys may name a person or an
// address; an implementation that stores them keeps only a hash and
// forgets expired windows.
type LoginLimiter interface {
	// Reserve takes one attempt from every bucket, all or none, in one
	// atomic step. When a bucket is full it takes none and returns false
	// and the time that bucket opens again.
	Reserve(ctx context.Context, buckets []LimitBucket, now time.Time) (ok bool, retry time.Time, err error)
	// Reset empties key's bucket and forgets its growth.
	Reset(ctx context.Context, key string) error
	// Release gives one attempt back to key's bucket (a reserved attempt
	// that turned out to be a successful sign-in), so that buckets shared
	// by many people count failures only.
	Release(ctx context.Context, key string) error
	// Remember marks key as known until until; Known reports whether it
	// is. The server remembers the addresses an account signed in from.
	Remember(ctx context.Context, key string, until time.Time) error
	Known(ctx context.Context, key string, now time.Time) (bool, error)
}

// NewStamp returns a fresh random User.Stamp.
func NewStamp() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}
