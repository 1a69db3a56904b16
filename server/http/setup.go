package http

import (
	"context"
	"sync/atomic"

	"github.com/postvakt/postvakt/server"
)

// setupState remembers once an account exists; until then every check
// asks the store, since another process or `postvakt user add` may
// create the first account.
type setupState struct {
	users server.UserStore
	done  atomic.Bool
}

// needed reports whether the store has no account yet.
func (st *setupState) needed(ctx context.Context) (bool, error) {
	if st.done.Load() {
		return false, nil
	}
	us, err := st.users.ListUsers(ctx)
	if err != nil {
		return false, err
	}
	if len(us) > 0 {
		st.done.Store(true)
		return false, nil
	}
	return true, nil
}
