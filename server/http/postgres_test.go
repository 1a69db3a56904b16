package http_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/postvakt/postvakt/server"
	pvhttp "github.com/postvakt/postvakt/server/http"
	"github.com/postvakt/postvakt/server/postgres"
	"github.com/postvakt/postvakt/server/postgres/pgtest"
	"golang.org/x/crypto/bcrypt"
)

// newPostgresEnv is newEnv on PostgreSQL (a fresh schema in the database
// named by POSTVAKT_TEST_POSTGRES; skipped when it is unset), with the
// store as the server's fan-out. Its DB field is nil.
func newPostgresEnv(tb testing.TB) *env {
	tb.Helper()
	return newPostgresEnvOn(tb, pgtest.Schema(tb), true, nil)
}

// newPostgresEnvOn is a server on the schema of dsn; seed creates the
// bundle and users (the first process of several), keys shares the
// token keys of another process.
func newPostgresEnvOn(tb testing.TB, dsn string, seed bool, keys *pvhttp.Keys) *env {
	tb.Helper()
	return newPostgresEnvWith(tb, dsn, seed, keys, nil)
}

// newPostgresEnvWith is newPostgresEnvOn with a chance to change the
// server's configuration.
func newPostgresEnvWith(tb testing.TB, dsn string, seed bool, keys *pvhttp.Keys, edit func(*pvhttp.Config)) *env {
	tb.Helper()
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, 32))
	db := postgres.NewDB(dsn)
	db.Signer = key
	ctx := context.Background()
	if err := db.Open(ctx); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if keys == nil {
		keys = pvhttp.NewKeys()
	}
	if seed {
		seedPostgres(tb, db)
	}
	e := &env{t: tb, Clock: &clock{t: t0}, Keys: keys}
	cfg := pvhttp.Config{Users: db, Rules: db, Audit: db, Keys: e.Keys, Fanout: db, Limiter: db,
		AuditKey: key.Public().(ed25519.PublicKey), Ready: db.Ping, Now: e.Clock.Now, Heartbeat: 50 * time.Millisecond}
	if edit != nil {
		edit(&cfg)
	}
	srv := pvhttp.NewServer(cfg)
	hs := httptest.NewServer(srv)
	tb.Cleanup(func() { srv.Close(); hs.Close() })
	e.URL = hs.URL
	return e
}

func seedPostgres(tb testing.TB, db *postgres.DB) {
	ctx := context.Background()
	v, _, err := pvhttp.PrepareBundle(testBundle(tb, "t-1"))
	if err != nil {
		tb.Fatal(err)
	}
	v.CreatedBy, v.CreatedAt = "test", t0
	if err := db.CreateBundle(ctx, v); err != nil {
		tb.Fatal(err)
	}
	if err := db.Publish(ctx, server.Publication{Version: "t-1", PublishedBy: "test", PublishedAt: t0}); err != nil {
		tb.Fatal(err)
	}
	hash, _ := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	for _, u := range []struct{ name, role string }{{"adm", "admin"}, {"comp", "compliance"}, {"staff", "staff"}} {
		if err := db.CreateUser(ctx, &server.User{Name: u.name, Unit: "kommunikasjon", Roles: []string{u.role}, PasswordHash: hash, CreatedAt: t0}); err != nil {
			tb.Fatal(err)
		}
	}
}

// The login rate limit holds across processes: five failures spread over
// two servers lock the name on both. With a limiter per process each
// would have seen only two or three.
func TestLoginLimitAcrossProcesses(t *testing.T) {
	dsn := pgtest.Schema(t)
	a := newPostgresEnvOn(t, dsn, true, nil)
	b := newPostgresEnvOn(t, dsn, false, a.Keys)
	wrong := map[string]string{"username": "staff", "password": "feil-passord"}
	for i, e := range []*env{a, b, a, b, a} {
		if r := e.do("POST", "/api/v1/auth/login", "", wrong); r.Status != 401 {
			t.Fatalf("failure %d: %d %s", i+1, r.Status, r.Body)
		}
	}
	right := map[string]string{"username": "staff", "password": password}
	for name, e := range map[string]*env{"A": a, "B": b} {
		if r := e.do("POST", "/api/v1/auth/login", "", right); r.Status != 429 || r.code() != "ETOOMANY" {
			t.Errorf("right password on %s after 5 failures: %d %s, want 429", name, r.Status, r.Body)
		}
	}
	// The window closes on both.
	a.Clock.Add(16 * time.Minute)
	b.Clock.Add(16 * time.Minute)
	if r := b.do("POST", "/api/v1/auth/login", "", right); r.Status != 200 {
		t.Errorf("after the window: %d %s", r.Status, r.Body)
	}
	// No user name in clear in the table.
	var n int
	if err := pgtest.QueryRow(dsn, `SELECT COUNT(*) FROM login_limits WHERE key_hash LIKE '%staff%'`, &n); err != nil || n != 0 {
		t.Errorf("login_limits holds the name in clear (%d rows, %v)", n, err)
	}
}
