package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/postvakt/postvakt/server/postgres/pgtest"
)

// TestMultiProcessAccounts runs two real server processes on one
// PostgreSQL database (issue #13):
//   - 40 parallel wrong passwords for one account, split between them,
//     get at most 5 answers of 401 (a password comparison) and the rest
//     429, with bcrypt at its default cost;
//   - `postvakt user disable` from the command line ends the account's
//     access tokens on both processes and its event streams within 5 s.
func TestMultiProcessAccounts(t *testing.T) {
	dsn := pgtest.Schema(t)
	data := t.TempDir()
	flags := []string{"--data", data, "--db", dsn}
	for _, u := range []struct{ name, role string }{{"kari", "admin,compliance,staff"}, {"ola", "staff"}} {
		var errb bytes.Buffer
		if err := run(context.Background(), append([]string{"user", "add", u.name, "--role", u.role, "--password-stdin"}, flags...),
			serveNoEnv, strings.NewReader(u.name+"-passord-1\n"), io.Discard, &errb); err != nil {
			t.Fatalf("user add: %v\n%s", err, errb.String())
		}
	}
	a := startProcess(t, "A", append(flags, "--sse-heartbeat", "1s")...)
	b := startProcess(t, "B", append(flags, "--sse-heartbeat", "1s")...)

	var mu sync.Mutex
	statuses := map[int]int{}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			h := []*serveHarness{a, b}[i%2]
			resp, _ := h.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "kari", "password": fmt.Sprintf("feil-%d", i)})
			mu.Lock()
			statuses[resp.StatusCode]++
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()
	t.Logf("two processes, 40 parallel wrong passwords for one account: statuses %v", statuses)
	if statuses[401] > 5 || statuses[401]+statuses[429] != 40 {
		t.Errorf("statuses %v: want at most 5 × 401 (compared) and the rest 429", statuses)
	}

	tokA := a.login("ola", "ola-passord-1")
	tokB := b.login("ola", "ola-passord-1")
	eventsB, stopB := b.subscribe(tokB)
	defer stopB()
	nextEvent(t, eventsB, "hello", 5*time.Second)
	var out bytes.Buffer
	if err := run(context.Background(), append([]string{"user", "disable", "ola"}, flags...), serveNoEnv, nil, &out, &out); err != nil {
		t.Fatalf("user disable: %v\n%s", err, out.String())
	}
	disabled := time.Now()
	for name, c := range map[string]struct {
		h   *serveHarness
		tok string
	}{"A": {a, tokA}, "B": {b, tokB}} {
		for {
			resp, _ := c.h.do("GET", "/api/v1/crisis", c.tok, nil)
			if resp.StatusCode == 401 {
				t.Logf("access token refused by %s %v after user disable", name, time.Since(disabled).Round(time.Millisecond))
				break
			}
			if time.Since(disabled) > 5*time.Second {
				t.Fatalf("access token still accepted by %s 5 s after user disable", name)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	deadline := time.After(5*time.Second - time.Since(disabled))
	for closed := false; !closed; {
		select {
		case _, ok := <-eventsB:
			closed = !ok
		case <-deadline:
			t.Fatal("B's event stream still open 5 s after user disable")
		}
	}
	t.Logf("B's event stream closed %v after user disable", time.Since(disabled).Round(time.Millisecond))
}
