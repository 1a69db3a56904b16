package sqlite_test

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

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

// TestAppendOnly checks that the trigger lets pruning through and nothing
// else: no other update of a row, pruned or not, and no deletion.
func TestAppendOnly(t *testing.T) {
	const blank = `user = '', unit = '', platform = '', host = '', kind = '', bundle = '', findings = '[]', reason = '', archive = 0, text_sha256 = '', dropped = 0`
	for _, tc := range []struct {
		name string
		sql  string
		ok   bool
	}{
		{"prune", `UPDATE audit SET pruned = 1, ` + blank + ` WHERE seq = 2`, true},
		{"edit", `UPDATE audit SET reason = 'x' WHERE seq = 2`, false},
		{"prune keeping the user", `UPDATE audit SET pruned = 1, ` + blank + `, user = 'kari' WHERE seq = 2`, false},
		{"prune and change the action", `UPDATE audit SET pruned = 1, ` + blank + `, action = 'published' WHERE seq = 2`, false},
		{"prune and rehash", `UPDATE audit SET pruned = 1, ` + blank + `, hash = 'x' WHERE seq = 2`, false},
		{"unprune", `UPDATE audit SET pruned = 0, user = 'kari' WHERE seq = 1`, false},
		{"edit a pruned row", `UPDATE audit SET action = 'published' WHERE seq = 1`, false},
		{"delete", `DELETE FROM audit WHERE seq = 1`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			db := MustOpenDB(t)
			for i := 1; i <= 2; i++ {
				if _, err := db.Append(ctx, []audit.Entry{storetest.Entry(i, "kari", "overridden", "pii.phone")}, storetest.T0.AddDate(0, 0, i)); err != nil {
					t.Fatal(err)
				}
			}
			if res, err := db.Prune(ctx, storetest.T0.AddDate(0, 0, 2)); err != nil || res.Pruned != 1 {
				t.Fatalf("Prune = %+v, %v", res, err)
			}
			_, err := sqlExec(db.Path, tc.sql)
			if (err == nil) != tc.ok {
				t.Errorf("%s: err %v, want ok %v", tc.sql, err, tc.ok)
			}
		})
	}
}

// TestLegacyRecords checks that rows appended before content digests
// (version-1 records) still verify and are kept by Prune.
func TestLegacyRecords(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	r := audit.Record{Seq: 1, Entry: storetest.Entry(1, "kari", "published"), Received: storetest.T0.Format(time.RFC3339Nano)}
	r.Prev = audit.GenesisHash
	r.Hash = audit.Hash(r.Prev, &r) // no digest: version 1
	if _, err := sqlExec(db.Path, fmt.Sprintf(`INSERT INTO audit (seq, id, user, unit, platform, host, kind, at, at_unix, bundle, action,
		findings, reason, archive, text_sha256, received, received_unix, prev, hash)
		VALUES (1, '%s', 'kari', 'oppvekst', 'facebook', '', '', '%s', 0, 'v1', 'published', '[]', '', 0, '', '%s', %d, '%s', '%s')`,
		r.ID, r.At, r.Received, storetest.T0.Unix(), r.Prev, r.Hash)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Append(ctx, []audit.Entry{storetest.Entry(2, "kari", "published")}, storetest.T0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	// The migration fills in when the old records were received.
	if res, err := db.Prune(ctx, storetest.T0); err != nil || res != (server.PruneResult{}) {
		t.Errorf("Prune before the first record = %+v, %v; want nothing", res, err)
	}
	res, err := server.PruneLog(ctx, db, storetest.T0.Add(2*time.Hour), storetest.T0.Add(3*time.Hour), "oppbevaringstid")
	if err != nil || res != (server.PruneResult{Pruned: 1, Kept: 1}) {
		t.Errorf("Prune = %+v, %v; want 1 pruned, 1 kept", res, err)
	}
	rep, err := server.VerifyLog(ctx, db, storetest.Key.Public().(ed25519.PublicKey))
	if err != nil || !rep.OK || rep.Pruned != 1 {
		t.Errorf("VerifyLog = %+v, %v", rep, err)
	}
}

// TestUpgrade opens a database made by the migrations before retention
// (0001 and 0002) that holds version-1 records: 0003 keeps them
// verifying, appends after it are version 2, and prune removes only
// those.
func TestUpgrade(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "postvakt.db")
	old, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := old.Exec(`CREATE TABLE migrations (name TEXT PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"migration/0001_init.sql", "migration/0002_dropped.sql"} {
		q, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := old.Exec(string(q)); err != nil {
			t.Fatal(err)
		}
		old.Exec(`INSERT INTO migrations (name) VALUES (?)`, name)
	}
	prev := audit.GenesisHash
	for i := 1; i <= 2; i++ {
		r := audit.Record{Seq: int64(i), Entry: storetest.Entry(i, "kari", "overridden", "pii.phone"), Received: storetest.T0.Add(time.Duration(i) * time.Second).Format(time.RFC3339Nano)}
		r.Prev, r.Hash = prev, audit.Hash(prev, &r) // version 1, as appended before 0003
		prev = r.Hash
		if _, err := old.Exec(`INSERT INTO audit (seq, id, user, unit, platform, host, kind, at, at_unix, bundle, action,
			findings, reason, archive, text_sha256, received, prev, hash) VALUES (?, ?, ?, ?, ?, '', '', ?, 0, ?, ?, ?, '', 0, '', ?, ?, ?)`,
			r.Seq, r.ID, r.User, r.Unit, r.Platform, r.At, r.Bundle, r.Action, `[{"rule":"pii.phone","severity":"warn","excerpt":"9*****78"}]`, r.Received, r.Prev, r.Hash); err != nil {
			t.Fatal(err)
		}
		cp := audit.SignCheckpoint(storetest.Key, r.Seq, r.Hash, r.Received)
		old.Exec(`INSERT INTO checkpoints (size, hash, time, key_id, sig) VALUES (?, ?, ?, ?, ?)`, cp.Size, cp.Hash, cp.Time, cp.KeyID, cp.Sig)
	}
	old.Close()

	db := sqlite.NewDB(path)
	db.Signer = storetest.Key
	if err := db.Open(); err != nil {
		t.Fatalf("migrating: %v", err)
	}
	defer db.Close()
	if _, err := db.Append(ctx, []audit.Entry{storetest.Entry(3, "kari", "published")}, storetest.T0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	// The migration fills in when the old records were received.
	if res, err := db.Prune(ctx, storetest.T0); err != nil || res != (server.PruneResult{}) {
		t.Errorf("Prune before the first record = %+v, %v; want nothing", res, err)
	}
	res, err := server.PruneLog(ctx, db, storetest.T0.Add(2*time.Hour), storetest.T0.Add(3*time.Hour), "oppbevaringstid")
	if err != nil || res != (server.PruneResult{Pruned: 1, Kept: 2}) {
		t.Errorf("Prune after the upgrade = %+v, %v; want 1 pruned (the new record), 2 kept", res, err)
	}
	rep, err := server.VerifyLog(ctx, db, storetest.Key.Public().(ed25519.PublicKey))
	if err != nil || !rep.OK || rep.Entries != 4 || rep.Checkpoints != 4 || rep.Pruned != 1 {
		t.Errorf("VerifyLog after the upgrade = %+v, %v", rep, err)
	}
	if _, err := sqlExec(path, `UPDATE audit SET reason = 'x' WHERE seq = 1`); err == nil {
		t.Error("the upgraded audit table accepted an UPDATE")
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

// TestUpgradeAccounts opens a database made by migrations 0001–0004, with
// users, a refresh token and a hole where the last account was deleted:
// 0005 keeps every id and token row, gives each account its own stamp,
// and never hands the deleted id out again. The file ends up 0600.
func TestUpgradeAccounts(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "postvakt.db")
	old, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := old.Exec(`CREATE TABLE migrations (name TEXT PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"migration/0001_init.sql", "migration/0002_dropped.sql", "migration/0003_retention.sql", "migration/0004_prune_before.sql"} {
		q, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := old.Exec(string(q)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		old.Exec(`INSERT INTO migrations (name) VALUES (?)`, name)
	}
	for _, q := range []string{
		`INSERT INTO users (id, name, roles, password_hash, created_at) VALUES (1, 'kari', 'admin', x'00', '2026-01-01T00:00:00Z'), (2, 'ola', 'staff', x'00', '2026-01-01T00:00:00Z'), (3, 'per', 'staff', x'00', '2026-01-01T00:00:00Z')`,
		`INSERT INTO refresh_tokens (hash, family, user_id, created_at, expires_at) VALUES ('h', 'f', 2, '2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z')`,
		`DELETE FROM users WHERE id = 3`,
	} {
		if _, err := old.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	old.Close()
	os.Chmod(path, 0o644)

	db := sqlite.NewDB(path)
	db.Signer = storetest.Key
	if err := db.Open(); err != nil {
		t.Fatalf("migrating: %v", err)
	}
	defer db.Close()
	us, err := db.ListUsers(ctx)
	if err != nil || len(us) != 2 || us[0].Name != "kari" || us[0].ID != 1 || us[1].ID != 2 || us[0].Stamp == "" || us[0].Stamp == us[1].Stamp {
		t.Fatalf("users after the upgrade: %+v, %v", us, err)
	}
	nu := &server.User{Name: "anne", Roles: []string{"staff"}, PasswordHash: []byte("x"), CreatedAt: storetest.T0}
	if err := db.CreateUser(ctx, nu); err != nil || nu.ID != 3 {
		// Only deletions after the upgrade are remembered: 3 was freed
		// before it, so it is the next id once.
		t.Logf("first id after the upgrade: %d, %v", nu.ID, err)
	}
	if _, err := sqlExec(path, fmt.Sprintf(`DELETE FROM users WHERE id = %d`, nu.ID)); err != nil {
		t.Fatal(err)
	}
	nu2 := &server.User{Name: "berit", Roles: []string{"staff"}, PasswordHash: []byte("x"), CreatedAt: storetest.T0}
	if err := db.CreateUser(ctx, nu2); err != nil || nu2.ID <= nu.ID {
		t.Errorf("id after deleting %d: %d, %v; want a larger one", nu.ID, nu2.ID, err)
	}
	if tok, err := db.UseRefreshToken(ctx, "h", storetest.T0); err != nil || tok.UserID != 2 || tok.Stamp != us[1].Stamp {
		t.Errorf("old refresh token after the upgrade: %+v, %v (kept, with its account's stamp %q)", tok, err, us[1].Stamp)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("database file mode %v, want 0600", fi.Mode().Perm())
	}
}
