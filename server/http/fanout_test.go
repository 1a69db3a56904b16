package http_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/postvakt/postvakt/server"
	pvhttp "github.com/postvakt/postvakt/server/http"
)

// hub is an in-memory server.Fanout shared by several servers, as
// PostgreSQL's LISTEN/NOTIFY is by several processes.
type hub struct {
	mu      sync.Mutex
	members []chan [2]string
}

type hubMember struct {
	h  *hub
	ch chan [2]string
	// reconnect makes Listen act as after a lost connection: resync.
	reconnect chan struct{}
}

func (h *hub) member() *hubMember {
	h.mu.Lock()
	defer h.mu.Unlock()
	m := &hubMember{h: h, ch: make(chan [2]string, 16), reconnect: make(chan struct{})}
	h.members = append(h.members, m.ch)
	return m
}

var _ server.Fanout = (*hubMember)(nil)

func (m *hubMember) Notify(ctx context.Context, name string, data []byte) error {
	m.h.mu.Lock()
	defer m.h.mu.Unlock()
	for _, ch := range m.h.members {
		ch <- [2]string{name, string(data)}
	}
	return nil
}

func (m *hubMember) Listen(ctx context.Context, deliver func(string, []byte), resync func()) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-m.reconnect:
			resync()
		case ev := <-m.ch:
			if ev[1] == "" {
				deliver(ev[0], nil)
			} else {
				deliver(ev[0], []byte(ev[1]))
			}
		}
	}
}

// sse opens the event stream at url and sends "name data" per event.
func sse(t *testing.T, url, token string) <-chan string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", url+"/api/v1/bundle/events", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET /bundle/events: %v %v", err, resp)
	}
	ch := make(chan string, 16)
	go func() {
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		name := ""
		for sc.Scan() {
			if n, ok := strings.CutPrefix(sc.Text(), "event: "); ok {
				name = n
			} else if d, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				ch <- name + " " + d
			}
		}
	}()
	return ch
}

func nextSSE(t *testing.T, ch <-chan string, prefix string) string {
	t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case ev := <-ch:
			if strings.HasPrefix(ev, prefix) {
				return ev
			}
		case <-timeout:
			t.Fatalf("no %q event within 5 s", prefix)
		}
	}
}

// TestFanout runs two servers on one store, joined by a fan-out: a
// publication and a crisis switch on A reach B's event streams, and B's
// GET /bundle serves the new version at once, although B had cached the
// old one.
func TestFanout(t *testing.T) {
	h := &hub{}
	var cfgB pvhttp.Config
	a := newEnvWith(t, func(c *pvhttp.Config) {
		c.Fanout = h.member()
		cfgB = *c
		cfgB.Fanout = h.member()
	})
	srvB := pvhttp.NewServer(cfgB)
	hsB := httptest.NewServer(srvB)
	t.Cleanup(func() { srvB.Close(); hsB.Close() })

	adm := a.login("adm").AccessToken
	staff := a.login("staff").AccessToken
	get := func(url string) (int, string) {
		req, _ := http.NewRequest("GET", url+"/api/v1/bundle", nil)
		req.Header.Set("Authorization", "Bearer "+staff)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode, resp.Header.Get("X-Postvakt-Version")
	}
	if _, v := get(hsB.URL); v != "t-1" {
		t.Fatalf("B serves %q before publishing, want t-1", v)
	}
	evB := sse(t, hsB.URL, staff)
	evA := sse(t, a.URL, staff)
	nextSSE(t, evB, "hello ")
	nextSSE(t, evA, "hello ")

	if r := a.do("POST", "/api/v1/admin/bundles", adm, testBundle(t, "t-2")); r.Status != 201 {
		t.Fatalf("create t-2: %d %s", r.Status, r.Body)
	}
	r := a.do("POST", "/api/v1/admin/bundles/t-2/publish", adm, nil)
	if r.Status != 200 {
		t.Fatalf("publish t-2: %d %s", r.Status, r.Body)
	}
	var info struct{ ETag string }
	json.Unmarshal(r.Body, &info)
	for name, ch := range map[string]<-chan string{"A": evA, "B": evB} {
		want := `bundle {"version":"t-2","etag":` + jsonString(info.ETag) + `}`
		if got := nextSSE(t, ch, "bundle "); got != want {
			t.Errorf("%s's stream: %s, want %s", name, got, want)
		}
	}
	if _, v := get(hsB.URL); v != "t-2" {
		t.Errorf("B serves %q right after the publication on A, want t-2", v)
	}

	if r := a.do("PUT", "/api/v1/admin/crisis", adm, map[string]any{"active": true, "message": "Flom", "team": []string{"kari"}}); r.Status != 200 {
		t.Fatalf("crisis on: %d %s", r.Status, r.Body)
	}
	if got := nextSSE(t, evB, "crisis "); !strings.Contains(got, `"active":true`) || !strings.Contains(got, `"message":"Flom"`) {
		t.Errorf("B's crisis event: %s", got)
	}
}

func jsonString(s string) string { b, _ := json.Marshal(s); return string(b) }

// TestFanoutResync checks what a server does when its fan-out reconnects
// after missing events (here: changes written to the store behind its
// back): it drops its cached bundle and tells its streams the current
// version and crisis state.
func TestFanoutResync(t *testing.T) {
	m := (&hub{}).member()
	e := newEnvWith(t, func(c *pvhttp.Config) { c.Fanout = m })
	staff := e.login("staff").AccessToken
	if r := e.do("GET", "/api/v1/bundle", staff, nil); r.Header.Get("X-Postvakt-Version") != "t-1" {
		t.Fatalf("serves %q, want t-1", r.Header.Get("X-Postvakt-Version"))
	}
	events := sse(t, e.URL, staff)
	nextSSE(t, events, "hello ")

	ctx := context.Background()
	v, _, err := pvhttp.PrepareBundle(testBundle(t, "t-3"))
	if err != nil {
		t.Fatal(err)
	}
	v.CreatedBy, v.CreatedAt = "test", t0
	if err := e.DB.CreateBundle(ctx, v); err != nil {
		t.Fatal(err)
	}
	if err := e.DB.Publish(ctx, server.Publication{Version: "t-3", PublishedBy: "test", PublishedAt: t0}); err != nil {
		t.Fatal(err)
	}
	if err := e.DB.SetCrisis(ctx, server.Crisis{Active: true, Message: "Storm", Team: []string{}, UpdatedBy: "adm", UpdatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	m.reconnect <- struct{}{}
	if got, want := nextSSE(t, events, "bundle "), `bundle {"version":"t-3","etag":`+jsonString(v.ETag)+`}`; got != want {
		t.Errorf("after a resync: %s, want %s", got, want)
	}
	if got := nextSSE(t, events, "crisis "); !strings.Contains(got, `"active":true`) {
		t.Errorf("after a resync: %s, want crisis on", got)
	}
	if r := e.do("GET", "/api/v1/bundle", staff, nil); r.Header.Get("X-Postvakt-Version") != "t-3" {
		t.Errorf("serves %q after a resync, want t-3", r.Header.Get("X-Postvakt-Version"))
	}
}
