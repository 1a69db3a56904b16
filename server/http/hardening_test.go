package http_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	pvhttp "github.com/postvakt/postvakt/server/http"
)

// Issue #13: the hardening of the HTTP surface.

func TestMetricsNeedToken(t *testing.T) {
	// Without a token configured, /metrics is not served on the main
	// address at all.
	if r := newEnv(t).do("GET", "/metrics", "", nil); r.Status != 404 {
		t.Errorf("/metrics without a configured token: %d, want 404", r.Status)
	}
	e := newEnvWith(t, func(c *pvhttp.Config) { c.MetricsToken = "m-token-123" })
	for _, tc := range []struct {
		name, auth string
		status     int
	}{
		{"no token", "", 401},
		{"wrong token", "Bearer nope", 401},
		{"an access token", "Bearer " + e.login("adm").AccessToken, 401},
		{"the token", "Bearer m-token-123", 200},
		{"lower-case scheme", "bearer m-token-123", 200},
	} {
		var hdr []string
		if tc.auth != "" {
			hdr = []string{"Authorization", tc.auth}
		}
		if r := e.do("GET", "/metrics", "", nil, hdr...); r.Status != tc.status {
			t.Errorf("%s: /metrics %d, want %d", tc.name, r.Status, tc.status)
		}
	}
}

func TestAuthSchemeCaseInsensitive(t *testing.T) {
	e := newEnv(t)
	tok := e.login("staff").AccessToken
	for _, scheme := range []string{"Bearer", "bearer", "BEARER", "bEaReR"} {
		if r := e.do("GET", "/api/v1/crisis", "", nil, "Authorization", scheme+" "+tok); r.Status != 200 {
			t.Errorf("Authorization: %s …: %d %s, want 200", scheme, r.Status, r.Body)
		}
	}
	for _, h := range []string{"Basic " + tok, "Bearer", "Bearer ", tok} {
		if r := e.do("GET", "/api/v1/crisis", "", nil, "Authorization", h); r.Status != 401 {
			t.Errorf("Authorization: %.20q: %d, want 401", h, r.Status)
		}
	}
}

func TestLoginRedirectStaysLocal(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct{ next, want string }{
		// fixed bugs
		{"/\t/evil.example/", "/"},
		{"/%09/evil.example/", "/%09/evil.example/"}, // still encoded: a path on this site
		{"//evil.example", "/"},
		{"/\\evil.example", "/"},
		{"\\\\evil.example", "/"},
		{"/\n/evil.example", "/"},
		{"/\r\n/evil.example", "/"},
		{"/\x7f/evil.example", "/"},
		{"https://evil.example/", "/"},
		{"javascript:alert(1)", "/"},
		{"/x/\\/evil", "/"},
		// allowed
		{"/compliance?user=kari", "/compliance?user=kari"},
		{"/admin", "/admin"},
	} {
		jar := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := jar.PostForm(e.URL+"/login", url.Values{"username": {"adm"}, "password": {password}, "next": {tc.next}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Get("Location"); got != tc.want {
			t.Errorf("next=%q: Location %q, want %q", tc.next, got, tc.want)
		}
	}
	// The login page never offers such a target in its form either.
	b := newEnv(t).do("GET", "/login?next=%2F%09%2Fevil.example%2F", "", nil)
	if strings.Contains(string(b.Body), "evil.example") {
		t.Errorf("login page keeps the foreign target:\n%s", b.Body)
	}
}

// slowServer serves e's handler with the given timeouts on a real
// http.Server, as postvakt serve does.
func slowServer(t *testing.T, to pvhttp.Timeouts) (*env, string) {
	t.Helper()
	var srv *pvhttp.Server
	e := newEnvWith(t, func(c *pvhttp.Config) {
		c.Timeouts = to
		c.MetricsToken = "x"
		srv = pvhttp.NewServer(*c)
	})
	hs := httptest.NewUnstartedServer(srv)
	cfg := srv.HTTPServer()
	hs.Config.ReadHeaderTimeout, hs.Config.ReadTimeout, hs.Config.WriteTimeout, hs.Config.IdleTimeout =
		cfg.ReadHeaderTimeout, cfg.ReadTimeout, cfg.WriteTimeout, cfg.IdleTimeout
	hs.Start()
	t.Cleanup(func() { srv.Close(); hs.Close() })
	return e, hs.Listener.Addr().String()
}

// closedWithin reports whether the server closes conn within d while the
// client keeps trickling bytes from send.
func closedWithin(conn net.Conn, d time.Duration, send func(i int) string) (bool, time.Duration) {
	start := time.Now()
	closed := make(chan struct{})
	go func() {
		io.Copy(io.Discard, conn)
		close(closed)
	}()
	for i := 0; time.Since(start) < d; i++ {
		select {
		case <-closed:
			return true, time.Since(start)
		case <-time.After(50 * time.Millisecond):
		}
		if _, err := conn.Write([]byte(send(i))); err != nil {
			<-closed
			return true, time.Since(start)
		}
	}
	return false, time.Since(start)
}

func TestSlowClientsClosed(t *testing.T) {
	to := pvhttp.Timeouts{ReadHeader: 300 * time.Millisecond, Read: 600 * time.Millisecond, Write: time.Second, Idle: 500 * time.Millisecond}
	e, addr := slowServer(t, to)
	dial := func() net.Conn {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	t.Run("slow bodies", func(t *testing.T) {
		// 40 connections, each sending its body a byte per 50 ms.
		var wg sync.WaitGroup
		var open atomic.Int32
		for range 40 {
			c := dial()
			wg.Add(1)
			go func() {
				defer wg.Done()
				fmt.Fprintf(c, "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n")
				if ok, _ := closedWithin(c, 3*time.Second, func(int) string { return " " }); !ok {
					open.Add(1)
				}
			}()
		}
		wg.Wait()
		if n := open.Load(); n > 0 {
			t.Errorf("%d of 40 connections sending a body slowly were open after 3 s, want all closed after about %v", n, to.Read)
		}
	})
	t.Run("slow headers", func(t *testing.T) {
		c := dial()
		fmt.Fprintf(c, "GET /healthz HTTP/1.1\r\n")
		ok, took := closedWithin(c, 5*time.Second, func(i int) string { return fmt.Sprintf("X-%d: y\r\n", i) })
		if !ok || took > 2*time.Second {
			t.Errorf("headers sent slowly: closed %v after %v, want closed within about %v", ok, took, to.ReadHeader)
		}
	})
	t.Run("idle", func(t *testing.T) {
		c := dial()
		fmt.Fprintf(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
		br := bufio.NewReader(c)
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		start := time.Now()
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, err = br.ReadByte()
		if took := time.Since(start); err == nil || took > 2*time.Second {
			t.Errorf("idle keep-alive connection: read %v after %v, want closed within about %v", err, took, to.Idle)
		}
	})
	t.Run("event stream outlives the timeouts", func(t *testing.T) {
		// Long-lived routes lift the deadlines: a stream stays open past
		// Read and Write while the client reads it.
		tok := e.login("staff").AccessToken
		c := dial()
		fmt.Fprintf(c, "GET /api/v1/bundle/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n", tok)
		br := bufio.NewReader(c)
		resp, err := http.ReadResponse(br, nil)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("stream: %v %v", resp, err)
		}
		end := time.Now().Add(to.Read + to.Write + 500*time.Millisecond)
		c.SetReadDeadline(end.Add(time.Second))
		for time.Now().Before(end) {
			if _, err := br.ReadString('\n'); err != nil {
				t.Fatalf("stream closed after the timeouts: %v", err)
			}
		}
	})
}
