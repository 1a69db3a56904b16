package server

import "context"

// Fanout carries events (a bundle published, crisis mode switched)
// between server processes that share one store, so that every process
// can tell its own event streams. A store that only one process uses
// (SQLite) needs none.
type Fanout interface {
	// Notify sends an event to every listening process, this one
	// included. data is the event's JSON; it may be dropped on the way
	// when it is large, and a listener then gets nil and reads the state
	// from the store.
	Notify(ctx context.Context, name string, data []byte) error
	// Listen calls deliver for every event any process notifies, in
	// order, until ctx ends. It reconnects after a failure and then calls
	// resync, because events may have been missed meanwhile.
	Listen(ctx context.Context, deliver func(name string, data []byte), resync func())
}
