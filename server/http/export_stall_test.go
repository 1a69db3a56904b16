package http_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/postvakt/postvakt/shared/audit"
)

// TestStalledExports: exports whose clients stop reading must not take
// the database connections that sign-in, bundles and readiness need.
// Six exports of a log of about 20 MB are started and never read; then
// login, GET /bundle and /readyz must each answer within 3 seconds.
func TestStalledExports(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 20 MB log")
	}
	e := newEnv(t)
	comp := e.login("comp").AccessToken
	staff := e.login("staff").AccessToken
	ctx := context.Background()
	reason := strings.Repeat("Godkjent av leder etter samtale. ", 60)
	for b := range 24 {
		es := make([]audit.Entry, 500)
		for i := range es {
			n := b*500 + i + 1
			es[i] = audit.Entry{ID: fmt.Sprintf("22222222-2222-4333-8444-%012d", n), User: "staff", Platform: "facebook",
				At: t0.Format(time.RFC3339), Bundle: "t-1", Action: "overridden", Reason: reason, Findings: []audit.Finding{}}
		}
		if _, err := e.DB.Append(ctx, es, t0); err != nil {
			t.Fatal(err)
		}
	}
	addr := strings.TrimPrefix(e.URL, "http://")
	var stalled []net.Conn
	defer func() {
		for _, c := range stalled {
			c.Close()
		}
	}()
	for i := range 6 {
		d := net.Dialer{Control: func(network, address string, c syscall.RawConn) error {
			return c.Control(func(fd uintptr) { syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
		}}
		c, err := d.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		stalled = append(stalled, c)
		path := "/api/v1/audit/export?format=jsonl"
		if i%2 == 1 {
			path = "/api/v1/audit/export?format=csv"
		}
		fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\n\r\n", path, addr, comp)
		// Read the status line only, then stop reading.
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		line, err := bufio.NewReader(c).ReadString('\n')
		if err != nil || !strings.Contains(line, "200") {
			t.Errorf("export %d did not start (the read pool is taken by the stalled ones?): %q, %v", i, line, err)
		}
	}
	time.Sleep(500 * time.Millisecond) // let the exports fill their buffers and block

	client := &http.Client{Timeout: 3 * time.Second}
	for _, tc := range []struct {
		name, method, path, token, body string
		want                            int
	}{
		{"login", "POST", "/api/v1/auth/login", "", `{"username":"staff","password":"` + password + `"}`, 200},
		{"bundle", "GET", "/api/v1/bundle", staff, "", 200},
		{"readyz", "GET", "/readyz", "", "", 200},
		{"audit list", "GET", "/api/v1/audit?limit=5", comp, "", 200},
	} {
		req, _ := http.NewRequest(tc.method, e.URL+tc.path, strings.NewReader(tc.body))
		req.Header.Set("Content-Type", "application/json")
		if tc.token != "" {
			req.Header.Set("Authorization", "Bearer "+tc.token)
		}
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			t.Errorf("%s with six stalled exports: %v (after %v)", tc.name, err, time.Since(start).Round(time.Millisecond))
			continue
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("%s: status %d, want %d", tc.name, resp.StatusCode, tc.want)
		}
	}
}
