package http

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/postvakt/postvakt/server"
)

// Event is one server-sent event.
type Event struct {
	Name string
	Data any
}

// Broker fans events out to every open event stream of this process. A
// subscriber that does not keep up loses events rather than slowing the
// publisher; clients resync from the "hello" event on reconnect.
type Broker struct {
	mu     sync.Mutex
	subs   map[chan Event]struct{}
	closed bool
}

// NewBroker returns an empty broker.
func NewBroker() *Broker { return &Broker{subs: map[chan Event]struct{}{}} }

// Subscribe returns a channel of events, closed when the broker closes,
// and a function that unsubscribes.
func (b *Broker) Subscribe() (<-chan Event, func()) {
	ch := make(chan Event, 16)
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		close(ch)
		return ch, func() {}
	}
	b.subs[ch] = struct{}{}
	return ch, func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		if _, ok := b.subs[ch]; ok {
			delete(b.subs, ch)
			close(ch)
		}
	}
}

// Publish sends ev to every subscriber that has room for it.
func (b *Broker) Publish(ev Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for ch := range b.subs {
		select {
		case ch <- ev:
		default:
		}
	}
}

// Len returns the number of subscribers.
func (b *Broker) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.subs)
}

// Close closes every subscriber's channel; later subscriptions get a
// closed channel.
func (b *Broker) Close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	for ch := range b.subs {
		delete(b.subs, ch)
		close(ch)
	}
}

// notifier tells event streams about a publication or a crisis switch:
// this process's directly, or, with a fan-out, every process's through it.
type notifier struct {
	local   *Broker
	fanout  server.Fanout
	bundles *bundleCache
	rules   server.RuleStore
	logger  *slog.Logger
}

// announce sends ev after the change it reports is committed.
func (n *notifier) announce(ctx context.Context, ev Event) {
	if n.fanout == nil {
		n.local.Publish(ev)
		return
	}
	data, err := json.Marshal(ev.Data)
	if err == nil {
		err = n.fanout.Notify(ctx, ev.Name, data)
	}
	if err != nil {
		// This process's streams at least hear it; the others' browsers
		// catch up when they revalidate the bundle.
		n.logger.Error("event fan-out failed", "event", ev.Name, "err", err.Error())
		n.local.Publish(ev)
	}
}

// deliver takes an event from the fan-out (sent by any process) to this
// process's streams. A bundle event first drops the cached bundle, so
// that GET /bundle serves the new version at once. An event whose data
// did not fit the fan-out is rebuilt from the store.
func (n *notifier) deliver(name string, data []byte) {
	switch name {
	case "bundle":
		n.bundles.invalidate()
	case "crisis":
	default:
		return
	}
	if data == nil {
		ev, err := n.current(name)
		if err != nil {
			n.logger.Error("event fan-out: reading the state failed", "event", name, "err", err.Error())
			return
		}
		n.local.Publish(ev)
		return
	}
	n.local.Publish(Event{Name: name, Data: json.RawMessage(data)})
}

// resync runs after the fan-out reconnected: events may have been missed,
// so the cached bundle is dropped and every stream is told the current
// version and crisis state (clients ignore what they already have).
func (n *notifier) resync() {
	n.bundles.invalidate()
	for _, name := range []string{"bundle", "crisis"} {
		ev, err := n.current(name)
		if err != nil {
			n.logger.Error("event fan-out: resync failed", "event", name, "err", err.Error())
			continue
		}
		n.local.Publish(ev)
	}
}

// current is the event that describes the stored state.
func (n *notifier) current(name string) (Event, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if name == "crisis" {
		cr, err := n.rules.Crisis(ctx)
		return Event{Name: name, Data: cr}, err
	}
	v, err := n.bundles.get(ctx)
	if err != nil {
		return Event{}, err
	}
	return Event{Name: name, Data: bundleEvent{Version: v.Version, ETag: v.ETag}}, nil
}

// bundleEvent is the data of "hello" and "bundle" events.
type bundleEvent struct {
	Version string         `json:"version"`
	ETag    string         `json:"etag"`
	Crisis  *server.Crisis `json:"crisis,omitempty"`
}

func writeEvent(w http.ResponseWriter, name string, data any) error {
	b, err := json.Marshal(data)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "event: %s\ndata: %s\n\n", name, b)
	return err
}

// handleBundleEvents streams events: "hello" first (the published version
// and the crisis state, so a reconnecting client resyncs), then "bundle"
// when a version is published and "crisis" when crisis mode changes, with
// a comment line as heartbeat.
//
// The stream ends when its access token expires (the client reconnects
// with a fresh one) and, within revalidate, when the account is disabled
// or changed.
func handleBundleEvents(bundles *bundleCache, rules server.RuleStore, events *Broker, heartbeat time.Duration, m *Metrics, acc *accounts, revalidate time.Duration, now func() time.Time) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx := c.Request().Context()
		// Subscribe before reading the state: a change in between then
		// shows up twice (in hello and as an event), never not at all.
		ch, cancel := events.Subscribe()
		defer cancel()
		cur, err := bundles.get(ctx)
		if err != nil {
			return err
		}
		crisis, err := rules.Crisis(ctx)
		if err != nil {
			return err
		}
		m.sseClients.Add(1)
		defer m.sseClients.Add(-1)

		w := c.Response()
		h := w.Header()
		h.Set("Content-Type", "text/event-stream")
		h.Set("Cache-Control", "no-store")
		h.Set("X-Accel-Buffering", "no")
		w.WriteHeader(http.StatusOK)
		fmt.Fprint(w, "retry: 3000\n\n")
		if err := writeEvent(w, "hello", bundleEvent{Version: cur.Version, ETag: cur.ETag, Crisis: &crisis}); err != nil {
			return nil
		}
		w.Flush()
		tick := time.NewTicker(heartbeat)
		defer tick.Stop()
		recheck := time.NewTicker(revalidate)
		defer recheck.Stop()
		cl := claimsOf(c)
		for {
			select {
			case <-ctx.Done():
				return nil
			case <-recheck.C:
				if cl == nil {
					continue
				}
				if exp := cl.ExpiresAt; exp != nil && !now().Before(exp.Time) {
					return nil
				}
				if err := acc.check(ctx, cl); server.ErrorCode(err) == server.EUNAUTHORIZED {
					return nil
				}
				continue
			case ev, ok := <-ch:
				if !ok {
					return nil
				}
				if err := writeEvent(w, ev.Name, ev.Data); err != nil {
					return nil
				}
			case <-tick.C:
				if _, err := fmt.Fprint(w, ": heartbeat\n\n"); err != nil {
					return nil
				}
			}
			w.Flush()
		}
	}
}
