package postgres_test

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/postvakt/postvakt/server"
	"github.com/postvakt/postvakt/server/postgres"
	"github.com/postvakt/postvakt/server/postgres/pgtest"
	"github.com/postvakt/postvakt/server/storetest"
	"github.com/postvakt/postvakt/shared/audit"
)

// MustSchema returns a DSN for a fresh schema, dropped when the test
// ends, or skips the test when POSTVAKT_TEST_POSTGRES is unset.
func MustSchema(tb testing.TB) string { tb.Helper(); return pgtest.Schema(tb) }

// MustOpenDB opens a store in a fresh schema, signing checkpoints with
// storetest.Key, and closes it when the test ends.
func MustOpenDB(tb testing.TB) *postgres.DB {
	tb.Helper()
	return mustOpen(tb, MustSchema(tb))
}

func mustOpen(tb testing.TB, dsn string) *postgres.DB {
	tb.Helper()
	db := postgres.NewDB(dsn)
	db.Signer = storetest.Key
	if err := db.Open(context.Background()); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

func TestContract(t *testing.T) {
	MustSchema(t) // skips at once without POSTVAKT_TEST_POSTGRES
	storetest.Run(t, func(t *testing.T) storetest.Store { return MustOpenDB(t) })
}

// TestOpenTogether opens one schema from several stores at once, as
// server processes that start together do: migrations run once.
func TestOpenTogether(t *testing.T) {
	dsn := MustSchema(t)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			db := postgres.NewDB(dsn)
			errs[i] = db.Open(context.Background())
			db.Close()
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("open %d: %v", i, err)
		}
	}
}

func exec(t *testing.T, dsn, q string) error { t.Helper(); return pgtest.Exec(dsn, q) }

// TestAppendOnly checks that the trigger lets pruning through and nothing
// else.
func TestAppendOnly(t *testing.T) {
	const blank = `user_name = '', unit = '', platform = '', host = '', kind = '', bundle = '', findings = '[]', reason = '', archive = false, text_sha256 = '', dropped = 0`
	for _, tc := range []struct {
		name string
		sql  string
		ok   bool
	}{
		{"prune", `UPDATE audit SET pruned = true, ` + blank + ` WHERE seq = 2`, true},
		{"edit", `UPDATE audit SET reason = 'x' WHERE seq = 2`, false},
		{"prune keeping the user", `UPDATE audit SET pruned = true, ` + blank + `, user_name = 'kari' WHERE seq = 2`, false},
		{"prune and change the action", `UPDATE audit SET pruned = true, ` + blank + `, action = 'published' WHERE seq = 2`, false},
		{"prune and rehash", `UPDATE audit SET pruned = true, ` + blank + `, hash = 'x' WHERE seq = 2`, false},
		{"unprune", `UPDATE audit SET pruned = false, user_name = 'kari' WHERE seq = 1`, false},
		{"delete", `DELETE FROM audit WHERE seq = 1`, false},
		{"truncate", `TRUNCATE audit`, false},
		{"edit a checkpoint", `UPDATE checkpoints SET hash = 'x'`, false},
		{"edit a bundle", `UPDATE bundles SET etag = 'x'`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			dsn := MustSchema(t)
			db := mustOpen(t, dsn)
			db.CreateBundle(ctx, &server.BundleVersion{Version: "v1", JSON: []byte("{}"), ETag: `"e"`, CreatedBy: "kari", CreatedAt: storetest.T0})
			for i := 1; i <= 2; i++ {
				if _, err := db.Append(ctx, []audit.Entry{storetest.Entry(i, "kari", "overridden", "pii.phone")}, storetest.T0.AddDate(0, 0, i)); err != nil {
					t.Fatal(err)
				}
			}
			if res, err := db.Prune(ctx, storetest.T0.AddDate(0, 0, 2)); err != nil || res.Pruned != 1 {
				t.Fatalf("Prune = %+v, %v", res, err)
			}
			if err := exec(t, dsn, tc.sql); (err == nil) != tc.ok {
				t.Errorf("%s: err %v, want ok %v", tc.sql, err, tc.ok)
			}
		})
	}
}

// TestTamper edits and deletes rows behind the store's back, as a
// database superuser could, and checks that verification reports each by
// position.
func TestTamper(t *testing.T) {
	pub := storetest.Key.Public().(ed25519.PublicKey)
	for _, tc := range []struct {
		name string
		sql  string
		want string
	}{
		{"edited reason", `UPDATE audit SET reason = 'nothing to see' WHERE seq = 3`, "[edited@3 checkpoint@3]"},
		{"edited user and rehashed", `UPDATE audit SET user_name = 'per', hash = 'x' WHERE seq = 2`, "[edited@2 checkpoint@2 chain@3]"},
		{"deleted in the middle", `DELETE FROM audit WHERE seq = 4`, "[deleted@4]"},
		{"deleted at the end", `DELETE FROM audit WHERE seq = 5`, "[deleted@5]"},
		{"pruned record's action edited", `UPDATE audit SET action = 'published' WHERE seq = 1`, "[edited@1 checkpoint@1]"},
		// Contents removed the way pruning does, but outside audit prune:
		// the record is newer than the recorded cutoff.
		{"pruned behind the store's back", `UPDATE audit SET pruned = true, user_name = '', unit = '', platform = '', host = '',
			kind = '', bundle = '', findings = '[]', reason = '', archive = false, text_sha256 = '' WHERE seq = 4`, "[pruned@4]"},
		{"a prune record's cutoff moved", `UPDATE audit SET prune_before = '2026-12-31T00:00:00Z' WHERE seq = 6`, "[edited@6 checkpoint@6]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			dsn := MustSchema(t)
			db := mustOpen(t, dsn)
			for i := 1; i <= 5; i++ {
				if _, err := db.Append(ctx, []audit.Entry{storetest.Entry(i, "kari", "overridden", "pii.phone")}, storetest.T0.Add(time.Duration(i)*time.Hour)); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := server.PruneLog(ctx, db, storetest.T0.Add(90*time.Minute), storetest.T0.Add(6*time.Hour), "oppbevaringstid"); err != nil {
				t.Fatal(err)
			}
			if err := exec(t, dsn, `ALTER TABLE audit DISABLE TRIGGER USER; `+tc.sql); err != nil {
				t.Fatal(err)
			}
			rep, err := server.VerifyLog(ctx, db, pub)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range rep.Faults {
				got = append(got, fmt.Sprintf("%s@%d", f.Kind, f.Position))
			}
			if fmt.Sprint(got) != tc.want {
				t.Errorf("faults %v, want %s\n%+v", got, tc.want, rep.Faults)
			}
		})
	}
}

// TestFanout checks that a notification from one store reaches the
// listeners of others on the same schema, and not those of another
// schema, and that a listener whose connection is killed reconnects and
// resyncs; b's listener pings its connection between events.
func TestFanout(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dsn := MustSchema(t)
	a, b := mustOpen(t, dsn), mustOpen(t, dsn)
	b.ListenPing = 20 * time.Millisecond // pings between the events below
	other := MustOpenDB(t)

	type got struct{ name, data string }
	listen := func(db *postgres.DB) (chan got, chan struct{}) {
		evs, resyncs := make(chan got, 16), make(chan struct{}, 4)
		go db.Listen(ctx, func(name string, data []byte) { evs <- got{name, string(data)} }, func() { resyncs <- struct{}{} })
		return evs, resyncs
	}
	bEvents, bResyncs := listen(b)
	otherEvents, _ := listen(other)
	wait := func(ch chan got, want got) {
		t.Helper()
		select {
		case g := <-ch:
			if g != want {
				t.Errorf("event %+v, want %+v", g, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("no event %+v within 5 s", want)
		}
	}
	// The listener connects in the background; notify until it hears.
	pgtest.WaitForListeners(t, dsn, 1)
	waitForPing(t, dsn) // the listener must still hear after pinging
	if err := a.Notify(ctx, "bundle", []byte(`{"version":"v2","etag":"\"e2\""}`)); err != nil {
		t.Fatal(err)
	}
	wait(bEvents, got{"bundle", `{"version":"v2","etag":"\"e2\""}`})
	if err := a.Notify(ctx, "crisis", []byte(strings.Repeat("x", 9000))); err != nil {
		t.Fatal(err)
	}
	wait(bEvents, got{"crisis", ""})
	select {
	case g := <-otherEvents:
		t.Errorf("a listener on another schema got %+v", g)
	default:
	}

	// Kill the listener's connection; it comes back and resyncs.
	if err := exec(t, dsn, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '`+postgres.ListenerApp(schemaOf(t, dsn))+`'`); err != nil {
		t.Fatal(err)
	}
	select {
	case <-bResyncs:
	case <-time.After(10 * time.Second):
		t.Fatal("the listener did not reconnect within 10 s")
	}
	if err := a.Notify(ctx, "bundle", []byte(`{"version":"v3"}`)); err != nil {
		t.Fatal(err)
	}
	wait(bEvents, got{"bundle", `{"version":"v3"}`})
}

func schemaOf(t *testing.T, dsn string) string { return pgtest.SchemaOf(dsn) }

// waitForPing waits until the listener of dsn's schema has pinged its
// connection.
func waitForPing(t *testing.T, dsn string) {
	t.Helper()
	for i := 0; ; i++ {
		var n int
		if err := pgtest.QueryRow(dsn, `SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = '`+
			postgres.ListenerApp(schemaOf(t, dsn))+`' AND query = '-- ping'`, &n); err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			return
		}
		if i == 200 {
			t.Fatal("the listener did not ping within 10 s")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Ids are never reused: users.id is an identity column, so after the
// newest account's row is deleted by hand the next account gets a new id.
func TestIDsNotReused(t *testing.T) {
	dsn := MustSchema(t)
	db := mustOpen(t, dsn)
	ctx := context.Background()
	a := &server.User{Name: "a", Roles: []string{"staff"}, PasswordHash: []byte("x"), CreatedAt: storetest.T0}
	if err := db.CreateUser(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := exec(t, dsn, fmt.Sprintf(`DELETE FROM users WHERE id = %d`, a.ID)); err != nil {
		t.Fatal(err)
	}
	b := &server.User{Name: "b", Roles: []string{"admin"}, PasswordHash: []byte("x"), CreatedAt: storetest.T0}
	if err := db.CreateUser(ctx, b); err != nil || b.ID <= a.ID {
		t.Errorf("id after deleting %d: %d, %v; want a larger one", a.ID, b.ID, err)
	}
}

// TestUpgradeAccounts migrates a schema made by 0001–0003 that holds
// accounts, a refresh token and login failures: 0004 gives each account
// its own stamp and the token its account's.
func TestUpgradeAccounts(t *testing.T) {
	dsn := MustSchema(t)
	q := `CREATE TABLE migrations (name TEXT PRIMARY KEY);`
	for _, name := range []string{"migration/0001_init.sql", "migration/0002_login_failures.sql", "migration/0003_prune_before.sql"} {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		q += string(b) + "\n" + fmt.Sprintf("INSERT INTO migrations (name) VALUES ('%s');\n", name)
	}
	q += `INSERT INTO users (name, roles, password_hash, created_at) VALUES ('kari', 'admin', '\x00', now()), ('ola', 'staff', '\x00', now());
		INSERT INTO refresh_tokens (hash, family, user_id, created_at, expires_at) SELECT 'h', 'f', id, now(), now() + interval '1 day' FROM users WHERE name = 'ola';
		INSERT INTO login_failures (key_hash, n, reset_at) VALUES ('x', 1, now());`
	if err := exec(t, dsn, q); err != nil {
		t.Fatal(err)
	}
	db := mustOpen(t, dsn)
	ctx := context.Background()
	us, err := db.ListUsers(ctx)
	if err != nil || len(us) != 2 || us[0].Stamp == "" || us[0].Stamp == us[1].Stamp {
		t.Fatalf("users after the upgrade: %+v, %v", us, err)
	}
	if tok, err := db.UseRefreshToken(ctx, "h", time.Now()); err != nil || tok.Stamp != us[1].Stamp {
		t.Errorf("old refresh token after the upgrade: %+v, %v; want ola's stamp %q", tok, err, us[1].Stamp)
	}
}
