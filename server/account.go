package server

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/postvakt/postvakt/shared/audit"
)

// Actor is who makes an account change: an admin on the pages, or
// "postvakt" for the command line. It is the user of the audit entry.
type Actor struct {
	Name string
	Unit string
}

// CommandLine is the actor of changes made with `postvakt user`.
var CommandLine = Actor{Name: "postvakt"}

// ResetCodeTTL is how long a one-time password-reset code is valid.
const ResetCodeTTL = 24 * time.Hour

// Accounts changes accounts. Every change replaces the account's stamp
// (which ends its tokens, sessions and streams; see User.Stamp) and is
// recorded as an audit entry by the actor, whose reason names the
// account and the change; the store commits the change and its entry in
// one transaction (UserStore.UpdateUser). Creating an account is the
// exception: its entry is appended right after, so a crash in between
// can lose that entry but never record an account that does not exist.
type Accounts struct {
	Users UserStore
	Log   AuditLog
	Now   func() time.Time
}

func entry(actor Actor, now time.Time, action, reason string) audit.Entry {
	return audit.Entry{ID: uuid.NewString(), User: actor.Name, Unit: actor.Unit, Platform: "server",
		At: now.UTC().Format(time.RFC3339), Action: action, Findings: []audit.Finding{}, Reason: reason}
}

// update stores u with a new stamp and the entry, in one transaction.
func (a *Accounts) update(ctx context.Context, u *User, actor Actor, action, reason string) error {
	now := a.Now()
	return a.Users.UpdateUser(ctx, u, []audit.Entry{entry(actor, now, action, reason)}, now)
}

// ValidName reports whether name may be a user name.
func ValidName(name string) error {
	if name == "" || len(name) > 100 || strings.ContainsAny(name, " \t\r\n<>\"'&/\\?#%") {
		return Errorf(EINVALID, "A user name is 1 to 100 characters, without spaces, quotes, slashes, <, >, &, ?, # or %%.")
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f {
			return Errorf(EINVALID, "A user name has no control characters.")
		}
	}
	return nil
}

// ValidRoles checks roles: at least one, each known.
func ValidRoles(roles []string) error {
	if len(roles) == 0 {
		return Errorf(EINVALID, "An account needs at least one role.")
	}
	for _, r := range roles {
		if !slices.Contains(Roles, r) {
			return Errorf(EINVALID, "Unknown role %q (want %s).", r, strings.Join(Roles, ", "))
		}
	}
	return nil
}

// Create stores a new account.
func (a *Accounts) Create(ctx context.Context, actor Actor, u *User) error {
	if err := ValidName(u.Name); err != nil {
		return err
	}
	if err := ValidRoles(u.Roles); err != nil {
		return err
	}
	if u.CreatedAt.IsZero() {
		u.CreatedAt = a.Now()
	}
	if err := a.Users.CreateUser(ctx, u); err != nil {
		return err
	}
	now := a.Now()
	e := entry(actor, now, audit.ActionAccountCreated, fmt.Sprintf("%s: roller %s, enhet %q", u.Name, strings.Join(u.Roles, ", "), u.Unit))
	if _, err := a.Log.Append(ctx, []audit.Entry{e}, now); err != nil {
		return fmt.Errorf("record %s: %w", e.Action, err)
	}
	return nil
}

// SetDisabled disables or enables the account called name. An actor
// cannot disable their own account.
func (a *Accounts) SetDisabled(ctx context.Context, actor Actor, name string, disabled bool) (*User, error) {
	u, err := a.Users.FindUserByName(ctx, name)
	if err != nil {
		return nil, err
	}
	if disabled && actor != CommandLine && u.Name == actor.Name {
		return nil, Errorf(EINVALID, "You cannot disable your own account.")
	}
	u.Disabled = disabled
	action := audit.ActionAccountEnabled
	if disabled {
		action = audit.ActionAccountDisabled
	}
	if err := a.update(ctx, u, actor, action, u.Name); err != nil {
		return nil, err
	}
	return u, nil
}

// SetRoles gives the account called name roles and unit. An actor cannot
// take the admin role from their own account.
func (a *Accounts) SetRoles(ctx context.Context, actor Actor, name string, roles []string, unit string) (*User, error) {
	if err := ValidRoles(roles); err != nil {
		return nil, err
	}
	if len(unit) > 200 {
		return nil, Errorf(EINVALID, "A unit is at most 200 bytes.")
	}
	u, err := a.Users.FindUserByName(ctx, name)
	if err != nil {
		return nil, err
	}
	if actor != CommandLine && u.Name == actor.Name && u.HasRole(RoleAdmin) && !slices.Contains(roles, RoleAdmin) {
		return nil, Errorf(EINVALID, "You cannot take the admin role from your own account.")
	}
	reason := fmt.Sprintf("%s: roller %s, enhet %q → roller %s, enhet %q", u.Name, strings.Join(u.Roles, ", "), u.Unit, strings.Join(roles, ", "), unit)
	u.Roles, u.Unit = roles, unit
	if err := a.update(ctx, u, actor, audit.ActionAccountRoles, reason); err != nil {
		return nil, err
	}
	return u, nil
}

// SetPassword gives the account called name a new password hash.
func (a *Accounts) SetPassword(ctx context.Context, actor Actor, name string, hash []byte) (*User, error) {
	u, err := a.Users.FindUserByName(ctx, name)
	if err != nil {
		return nil, err
	}
	u.PasswordHash = hash
	if err := a.update(ctx, u, actor, audit.ActionAccountPassword, u.Name); err != nil {
		return nil, err
	}
	return u, nil
}

// ResetPassword ends every session of the account called name and
// returns a one-time code, valid for ResetCodeTTL, with which its owner
// chooses a new password (UseResetCode). The old password keeps working
// until then; the code is shown once and only its hash is stored.
func (a *Accounts) ResetPassword(ctx context.Context, actor Actor, name string) (string, *User, error) {
	u, err := a.Users.FindUserByName(ctx, name)
	if err != nil {
		return "", nil, err
	}
	b := make([]byte, 18)
	rand.Read(b)
	code := base64.RawURLEncoding.EncodeToString(b)
	if err := a.update(ctx, u, actor, audit.ActionAccountReset, u.Name); err != nil {
		return "", nil, err
	}
	if err := a.Users.SetResetCode(ctx, u.ID, HashResetCode(code), a.Now().Add(ResetCodeTTL)); err != nil {
		return "", nil, err
	}
	return code, u, nil
}

// UseResetCode sets the password of the account whose code this is; the
// code then no longer works. ENOTFOUND for an unknown, used or expired
// code.
func (a *Accounts) UseResetCode(ctx context.Context, code string, hash []byte) (*User, error) {
	u, err := a.Users.UseResetCode(ctx, HashResetCode(code), a.Now())
	if err != nil {
		return nil, err
	}
	u.PasswordHash = hash
	if err := a.update(ctx, u, Actor{Name: u.Name, Unit: u.Unit}, audit.ActionAccountPassword, u.Name+": med engangskode"); err != nil {
		return nil, err
	}
	return u, nil
}

// HashResetCode is what the store keeps of a reset code.
func HashResetCode(code string) string {
	h := sha256.Sum256([]byte("postvakt-reset\n" + code))
	return hex.EncodeToString(h[:])
}
