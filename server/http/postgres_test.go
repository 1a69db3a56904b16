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
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, 32))
	db := postgres.NewDB(pgtest.Schema(tb))
	db.Signer = key
	ctx := context.Background()
	if err := db.Open(ctx); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
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
	e := &env{t: tb, Clock: &clock{t: t0}, Keys: pvhttp.NewKeys()}
	srv := pvhttp.NewServer(pvhttp.Config{Users: db, Rules: db, Audit: db, Keys: e.Keys, Fanout: db,
		AuditKey: key.Public().(ed25519.PublicKey), Ready: db.Ping, Now: e.Clock.Now, Heartbeat: 50 * time.Millisecond})
	hs := httptest.NewServer(srv)
	tb.Cleanup(func() { srv.Close(); hs.Close() })
	e.URL = hs.URL
	return e
}
