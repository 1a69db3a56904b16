// Package pgtest gives tests a PostgreSQL schema of their own in the
// database named by POSTVAKT_TEST_POSTGRES, and skips them when it is
// unset.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Env is the variable that names the test database.
const Env = "POSTVAKT_TEST_POSTGRES"

// SkipMessage is why tests skip without it.
const SkipMessage = Env + " is not set; set it to a PostgreSQL URL (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable) to run the PostgreSQL tests"

// Skip skips tb when POSTVAKT_TEST_POSTGRES is unset.
func Skip(tb testing.TB) {
	tb.Helper()
	if os.Getenv(Env) == "" {
		tb.Skip(SkipMessage)
	}
}

// Schema creates a fresh schema with a random name in the test database,
// drops it (with everything in it) when the test ends, and returns a DSN
// whose search_path is that schema. Each test gets its own schema, so
// packages that run in parallel and repeated runs never see each other's
// rows. It skips tb when POSTVAKT_TEST_POSTGRES is unset.
func Schema(tb testing.TB) string {
	tb.Helper()
	Skip(tb)
	base := os.Getenv(Env)
	b := make([]byte, 8)
	rand.Read(b)
	schema := "pvtest_" + hex.EncodeToString(b)
	if err := Exec(base, "CREATE SCHEMA "+schema); err != nil {
		tb.Fatalf("%s: create schema: %v", Env, err)
	}
	tb.Cleanup(func() {
		if err := Exec(base, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("%s is not a URL: %v", Env, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// SchemaOf returns the schema of a DSN that Schema returned.
func SchemaOf(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return ""
	}
	return u.Query().Get("search_path")
}

// Exec runs q on a connection of its own to dsn.
func Exec(dsn, q string) error {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, q)
	return err
}

// QueryRow runs q on a connection of its own to dsn and scans one row.
func QueryRow(dsn, q string, dest ...any) error {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	return conn.QueryRow(ctx, q).Scan(dest...)
}

// WaitForListeners waits up to 10 s until n event listeners
// (server/postgres's, by their application_name) listen on dsn's schema.
func WaitForListeners(tb testing.TB, dsn string, n int) {
	tb.Helper()
	for i := 0; ; i++ {
		var got int
		err := QueryRow(dsn, `SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = 'postvakt-listener `+SchemaOf(dsn)+`'`, &got)
		if err != nil {
			tb.Fatal(err)
		}
		if got >= n {
			return
		}
		if i == 200 {
			tb.Fatalf("%d of %d event listeners connected within 10 s", got, n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
