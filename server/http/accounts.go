package http

import (
	"context"
	"sync"
	"time"

	"github.com/postvakt/postvakt/server"
)

// accounts checks that the account behind a token or session may still
// use it: it exists, is enabled, and its stamp is the one the token was
// issued under (disabling, enabling, a role or unit change and a password
// reset all replace the stamp). What the store says is cached for ttl of
// wall-clock time, so a change made through any process takes effect in
// every process within ttl; a change made through this one drops its
// entry at once.
type accounts struct {
	users server.UserStore
	ttl   time.Duration

	mu sync.Mutex
	m  map[int64]accountEntry
}

type accountEntry struct {
	u  *server.User // nil: no such account
	at time.Time
}

func newAccounts(users server.UserStore, ttl time.Duration) *accounts {
	return &accounts{users: users, ttl: ttl, m: map[int64]accountEntry{}}
}

// get returns the account with id, or nil when there is none.
func (a *accounts) get(ctx context.Context, id int64) (*server.User, error) {
	a.mu.Lock()
	e, ok := a.m[id]
	a.mu.Unlock()
	if ok && time.Since(e.at) < a.ttl {
		return e.u, nil
	}
	u, err := a.users.FindUserByID(ctx, id)
	if server.ErrorCode(err) == server.ENOTFOUND {
		u, err = nil, nil
	}
	if err != nil {
		return nil, err
	}
	a.mu.Lock()
	if len(a.m) > 10_000 {
		clear(a.m)
	}
	a.m[id] = accountEntry{u: u, at: time.Now()}
	a.mu.Unlock()
	return u, nil
}

// forget drops the cached state of account id.
func (a *accounts) forget(id int64) {
	a.mu.Lock()
	delete(a.m, id)
	a.mu.Unlock()
}

// check returns EUNAUTHORIZED unless cl's account may still act.
func (a *accounts) check(ctx context.Context, cl *Claims) error {
	u, err := a.get(ctx, cl.UserID())
	if err != nil {
		return err
	}
	switch {
	case u == nil || u.Name != cl.Name:
		return server.Errorf(server.EUNAUTHORIZED, "The account no longer exists.")
	case u.Disabled:
		return server.Errorf(server.EUNAUTHORIZED, "The account is disabled.")
	case cl.Stamp == "" || u.Stamp != cl.Stamp:
		return server.Errorf(server.EUNAUTHORIZED, "The account was changed; sign in again.")
	}
	return nil
}
