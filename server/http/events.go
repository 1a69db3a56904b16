package http

import (
	"encoding/json"
	"fmt"
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
func handleBundleEvents(bundles *bundleCache, rules server.RuleStore, events *Broker, heartbeat time.Duration, m *Metrics) echo.HandlerFunc {
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
		for {
			select {
			case <-ctx.Done():
				return nil
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
