package sqlite_test

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/postvakt/postvakt/server"
	"github.com/postvakt/postvakt/server/sqlite"
	"github.com/postvakt/postvakt/server/storetest"
	"github.com/postvakt/postvakt/shared/audit"
)

// MustOpenDB opens a fresh database in a temporary directory, signing
// checkpoints with storetest.Key, and closes it when the test ends.
func MustOpenDB(tb testing.TB) *sqlite.DB {
	tb.Helper()
	db := sqlite.NewDB(filepath.Join(tb.TempDir(), "postvakt.db"))
	db.Signer = storetest.Key
	if err := db.Open(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store { return MustOpenDB(t) })
}

func TestReopen(t *testing.T) {
	db := MustOpenDB(t)
	db.Close()
	again := sqlite.NewDB(db.Path)
	if err := again.Open(); err != nil {
		t.Fatalf("reopen (migrations applied twice?): %v", err)
	}
	again.Close()
}

// TestTamper edits and deletes rows behind the store's back, as someone
// with access to the file could, and checks that verification reports
// each by position.
func TestTamper(t *testing.T) {
	pub := storetest.Key.Public().(ed25519.PublicKey)
	for _, tc := range []struct {
		name string
		sql  string
		want string
	}{
		{"edited reason", `UPDATE audit SET reason = 'nothing to see' WHERE seq = 3`, "[edited@3 checkpoint@3]"},
		{"edited user and rehashed", `UPDATE audit SET user = 'per', hash = 'x' WHERE seq = 2`, "[edited@2 checkpoint@2 chain@3]"},
		{"deleted in the middle", `DELETE FROM audit WHERE seq = 4`, "[deleted@4]"},
		{"deleted at the end", `DELETE FROM audit WHERE seq = 5`, "[deleted@5]"},
		{"findings mangled", `UPDATE audit SET findings = '[{"rule":"x"' WHERE seq = 1`, "[edited@1 checkpoint@1]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			db := MustOpenDB(t)
			for i := 1; i <= 5; i++ {
				if _, err := db.Append(ctx, []audit.Entry{storetest.Entry(i, "kari", "overridden", "pii.phone")}, storetest.T0); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := sqlExec(db.Path, `UPDATE audit SET reason = 'x' WHERE seq = 1`); err == nil {
				t.Fatal("UPDATE on audit succeeded; the append-only trigger is missing")
			}
			if _, err := sqlExec(db.Path, `DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete; `+tc.sql); err != nil {
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

func sqlExec(path, q string) (sql.Result, error) {
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	return db.Exec(q)
}
