package http_test

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"net"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/postvakt/postvakt/server"
	pvhttp "github.com/postvakt/postvakt/server/http"
	"github.com/postvakt/postvakt/server/postgres/pgtest"
	"github.com/postvakt/postvakt/server/sqlite"
	"golang.org/x/crypto/bcrypt"
)

// Issue #13: the login limit holds under parallel requests, and a
// stranger cannot lock the owner out.

// counter counts password comparisons.
type counter struct{ n atomic.Int64 }

func (c *counter) compare(hash, pw []byte) error {
	c.n.Add(1)
	return bcrypt.CompareHashAndPassword(hash, pw)
}

// limitEnv is a server whose limiter is its SQLite store, behind a
// trusted loopback proxy so tests choose the client address with
// X-Forwarded-For.
func limitEnv(t *testing.T, cmp *counter) *env {
	return newEnvWith(t, func(c *pvhttp.Config) {
		c.Limiter = c.Users.(server.LoginLimiter)
		c.ComparePassword = cmp.compare
		_, n, _ := net.ParseCIDR("127.0.0.0/8")
		c.TrustedProxies = []*net.IPNet{n}
	})
}

func (e *env) loginFrom(addr, name, pw string) int {
	return e.do("POST", "/api/v1/auth/login", "", map[string]string{"username": name, "password": pw}, "X-Forwarded-For", addr).Status
}

// parallelWrong sends n wrong passwords for name at once, from addr(i),
// spread over envs, and returns the statuses.
func parallelWrong(envs []*env, n int, name string, addr func(i int) string) map[int]int {
	var mu sync.Mutex
	statuses := map[int]int{}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			st := envs[i%len(envs)].loginFrom(addr(i), name, fmt.Sprintf("feil-%d", i))
			mu.Lock()
			statuses[st]++
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()
	return statuses
}

func TestLoginLimitParallel(t *testing.T) {
	for _, tc := range []struct {
		name string
		addr func(i int) string
	}{
		{"one address", func(int) string { return "10.0.0.66" }},
		{"forty addresses", func(i int) string { return fmt.Sprintf("10.1.0.%d", i+1) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var cmp counter
			e := limitEnv(t, &cmp)
			st := parallelWrong([]*env{e}, 40, "adm", tc.addr)
			t.Logf("SQLite, 40 parallel wrong passwords from %s: %d comparisons, statuses %v", tc.name, cmp.n.Load(), st)
			if got := cmp.n.Load(); got > 5 {
				t.Errorf("%d password comparisons, want at most 5", got)
			}
			if st[401] > 5 || st[429] < 35 {
				t.Errorf("statuses %v, want at most 5 × 401 and the rest 429", st)
			}
		})
	}
}

func TestLoginLimitOwnerNotLockedOut(t *testing.T) {
	var cmp counter
	e := limitEnv(t, &cmp)
	const owner, stranger = "10.0.0.9", "10.0.0.66"
	if st := e.loginFrom(owner, "adm", password); st != 200 {
		t.Fatalf("owner's first sign-in: %d", st)
	}
	// A stranger fills every bucket it can reach, from one address and
	// from many.
	parallelWrong([]*env{e}, 40, "adm", func(int) string { return stranger })
	parallelWrong([]*env{e}, 40, "adm", func(i int) string { return fmt.Sprintf("10.2.0.%d", i+1) })
	if st := e.loginFrom(stranger, "adm", password); st != 429 {
		t.Errorf("the stranger with the right password: %d, want 429", st)
	}
	// The owner, at an address the account signed in from, still can.
	if st := e.loginFrom(owner, "adm", password); st != 200 {
		t.Errorf("owner at a known address after the attack: %d, want 200", st)
	}
	// Another account is untouched.
	if st := e.loginFrom("10.0.0.10", "comp", password); st != 200 {
		t.Errorf("another account: %d, want 200", st)
	}
	// The owner's own typos at home count for the owner's address only.
	for range 5 {
		e.loginFrom(owner, "adm", "feil")
	}
	if st := e.loginFrom(owner, "adm", password); st != 429 {
		t.Errorf("owner after 5 own failures: %d, want 429", st)
	}
}

// A guesser who comes back after each window waits twice as long each
// time the window filled up.
func TestLoginLimitGrows(t *testing.T) {
	var cmp counter
	e := limitEnv(t, &cmp)
	const a = "10.0.0.66"
	fill := func(round int) {
		t.Helper()
		for i := range 5 {
			if st := e.loginFrom(a, "staff", "feil"); st != 401 {
				t.Fatalf("round %d, attempt %d: %d, want 401", round, i+1, st)
			}
		}
		if st := e.loginFrom(a, "staff", "feil"); st != 429 {
			t.Fatalf("round %d, attempt 6: %d, want 429", round, st)
		}
	}
	fill(1)
	// Other addresses' attempts are no longer new to the account bucket
	// after its window; move the clock past it.
	e.Clock.Add(16 * time.Minute)
	fill(2)
	e.Clock.Add(16 * time.Minute) // the second window is 30 minutes
	if st := e.loginFrom(a, "staff", "feil"); st != 429 {
		t.Errorf("16 minutes into the second, doubled window: %d, want 429", st)
	}
	e.Clock.Add(15 * time.Minute)
	if st := e.loginFrom(a, "staff", password); st != 200 {
		t.Errorf("after the doubled window: %d, want 200", st)
	}
}

// Two server processes on one PostgreSQL schema: 40 parallel wrong
// passwords split between them reach the comparison at most 5 times.
func TestLoginLimitParallelPostgres(t *testing.T) {
	dsn := pgtest.Schema(t)
	var cmp counter
	edit := func(c *pvhttp.Config) {
		c.ComparePassword = cmp.compare
		_, n, _ := net.ParseCIDR("127.0.0.0/8")
		c.TrustedProxies = []*net.IPNet{n}
	}
	a := newPostgresEnvWith(t, dsn, true, nil, edit)
	b := newPostgresEnvWith(t, dsn, false, a.Keys, edit)
	for _, tc := range []struct {
		name, user string
		addr       func(i int) string
	}{
		{"one address", "adm", func(int) string { return "10.0.0.66" }},
		{"forty addresses", "comp", func(i int) string { return fmt.Sprintf("10.1.0.%d", i+1) }},
	} {
		cmp.n.Store(0)
		st := parallelWrong([]*env{a, b}, 40, tc.user, tc.addr)
		t.Logf("PostgreSQL, two processes, 40 parallel wrong passwords from %s: %d comparisons, statuses %v", tc.name, cmp.n.Load(), st)
		if got := cmp.n.Load(); got > 5 {
			t.Errorf("%s: %d password comparisons, want at most 5", tc.name, got)
		}
	}
	if st := b.loginFrom("10.0.0.9", "staff", password); st != 200 {
		t.Errorf("another account: %d, want 200", st)
	}
}

// Two servers, each with its own connections to one SQLite file (as two
// processes would have): reservations are immediate transactions, so 40
// parallel wrong passwords split between them reach the comparison at
// most 5 times.
func TestLoginLimitParallelSQLiteTwoHandles(t *testing.T) {
	var cmp counter
	a := limitEnv(t, &cmp)
	db2 := sqlite.NewDB(a.DB.Path)
	db2.Signer = a.DB.Signer
	if err := db2.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db2.Close() })
	_, loop, _ := net.ParseCIDR("127.0.0.0/8")
	srv := pvhttp.NewServer(pvhttp.Config{Users: db2, Rules: db2, Audit: db2, Limiter: db2, Keys: a.Keys,
		AuditKey: a.DB.Signer.Public().(ed25519.PublicKey), Now: a.Clock.Now, ComparePassword: cmp.compare,
		TrustedProxies: []*net.IPNet{loop}})
	hs := httptest.NewServer(srv)
	t.Cleanup(func() { srv.Close(); hs.Close() })
	b := &env{t: t, URL: hs.URL, DB: db2, Clock: a.Clock, Keys: a.Keys}
	st := parallelWrong([]*env{a, b}, 40, "adm", func(int) string { return "10.0.0.66" })
	t.Logf("SQLite, two handles on one file, 40 parallel wrong passwords: %d comparisons, statuses %v", cmp.n.Load(), st)
	if got := cmp.n.Load(); got > 5 {
		t.Errorf("%d password comparisons, want at most 5", got)
	}
}

// Sign-ins that succeed do not count against the address: thirty people
// behind one address sign in within the window (the address bucket holds
// 25), and one of them mistyping does not block the others.
func TestLoginLimitSharedAddress(t *testing.T) {
	var cmp counter
	e := limitEnv(t, &cmp)
	ctx := context.Background()
	hash, _ := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	for i := range 30 {
		if err := e.DB.CreateUser(ctx, &server.User{Name: fmt.Sprintf("ansatt%d", i), Roles: []string{"staff"}, PasswordHash: hash, CreatedAt: t0}); err != nil {
			t.Fatal(err)
		}
	}
	e.loginFrom("10.9.9.9", "ansatt0", "feil")
	for i := range 30 {
		if st := e.loginFrom("10.9.9.9", fmt.Sprintf("ansatt%d", i), password); st != 200 {
			t.Fatalf("sign-in %d from the shared address: %d, want 200", i+1, st)
		}
	}
}
