package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"database/sql"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/postvakt/postvakt/server"
	"github.com/postvakt/postvakt/server/sqlite"
	"github.com/postvakt/postvakt/server/storetest"
	"github.com/postvakt/postvakt/server/witness"
	"github.com/postvakt/postvakt/shared/audit"
	_ "modernc.org/sqlite"
)

// TestVerifyOutsideCheckpoint is the insider who can write the database
// but has no signing key: each way of tampering must make `postvakt
// audit verify` fail when it is given a checkpoint kept outside the
// database, from a file or a witness. The tail cut together with its
// checkpoints passes without one (reproduced in the issue); that is why
// the outside checkpoint is there.
func TestVerifyOutsideCheckpoint(t *testing.T) {
	const cut = `DELETE FROM audit WHERE seq > 6; DELETE FROM checkpoints WHERE size > 6; DELETE FROM audit_trees WHERE size > 6;`
	for _, tc := range []struct {
		name    string
		sql     string
		anchor  string // "", "file" or "witness"
		wantOK  bool
		wantOut string
	}{
		{"intact, file", "", "file", true, "extends the checkpoint"},
		{"intact, witness", "", "witness", true, "extends the checkpoint from witness"},
		{"tail cut with its checkpoints, nothing outside", cut, "", true, "ok: 6 entries"},
		{"tail cut with its checkpoints, file", cut, "file", false, "rollback"},
		{"tail cut with its checkpoints, witness", cut, "witness", false, "rollback"},
		{"tail cut, checkpoints kept", `DELETE FROM audit WHERE seq > 6`, "", false, "deleted"},
		{"every checkpoint deleted", `DELETE FROM checkpoints; DELETE FROM audit_trees;`, "", false, "no_checkpoint"},
		{"tail's checkpoints deleted", `DELETE FROM checkpoints WHERE size > 6; DELETE FROM audit_trees WHERE size > 6;`, "", false, "uncovered"},
		{"edited", `UPDATE audit SET reason = 'x' WHERE seq = 2`, "file", false, "fork"},
		{"deleted", `DELETE FROM audit WHERE seq = 3`, "witness", false, "deleted"},
		{"reordered", `UPDATE audit SET seq = seq + 100 WHERE seq IN (3, 4); UPDATE audit SET seq = 4 WHERE seq = 103; UPDATE audit SET seq = 3 WHERE seq = 104;`, "file", false, "NOT OK"},
		{"rewritten and rehashed, checkpoints deleted", "rehash", "witness", false, "fork"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			data := t.TempDir()
			key, err := loadAuditKey(data, true)
			if err != nil {
				t.Fatal(err)
			}
			pub := key.Public().(ed25519.PublicKey)
			dbPath := filepath.Join(data, "postvakt.db")
			db := sqlite.NewDB(dbPath)
			db.Signer = key
			if err := db.Open(); err != nil {
				t.Fatal(err)
			}
			w := &witness.Witness{Name: "vitne", Key: ed25519.NewKeyFromSeed(make([]byte, 32)), Dir: t.TempDir()}
			w.AddLog(pub)
			ws := httptest.NewServer(w.Handler())
			defer ws.Close()
			wc := witness.NewClient([]string{ws.URL}, db, pub, nil)
			for b, n := range []int{4, 2, 3} {
				var es []audit.Entry
				for i := range n {
					es = append(es, storetest.Entry(10*b+i+1, "kari", "overridden", "pii.phone"))
				}
				if _, err := db.Append(ctx, es, storetest.T0); err != nil {
					t.Fatal(err)
				}
				if _, err := wc.Push(ctx, ws.URL); err != nil {
					t.Fatal(err)
				}
			}
			db.Close()
			var cp bytes.Buffer
			if err := run(ctx, []string{"audit", "checkpoint", "--data", data}, serveNoEnv, nil, &cp, &cp); err != nil {
				t.Fatal(err)
			}
			cpFile := filepath.Join(t.TempDir(), "saved.checkpoint")
			os.WriteFile(cpFile, cp.Bytes(), 0o644)

			if tc.sql != "" {
				tamper(t, dbPath, tc.sql)
			}
			args := []string{"audit", "verify", "--data", data}
			switch tc.anchor {
			case "file":
				args = append(args, "--checkpoint", cpFile)
			case "witness":
				args = append(args, "--witness", ws.URL)
			}
			var out bytes.Buffer
			err = run(ctx, args, serveNoEnv, nil, &out, &out)
			if (err == nil) != tc.wantOK || !strings.Contains(out.String(), tc.wantOut) {
				t.Errorf("verify: err %v, output:\n%s\nwant ok %v and %q", err, out.String(), tc.wantOK, tc.wantOut)
			}
		})
	}
}

// tamper changes the database behind the store's back; "rehash" rewrites
// every record's reason and recomputes the whole chain, then deletes the
// checkpoints it cannot sign again.
func tamper(t *testing.T, path, q string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const drop = `DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete; DROP TRIGGER audit_tree_no_delete; DROP TRIGGER audit_trees_no_delete; DROP TRIGGER audit_tree_no_update;`
	if _, err := db.Exec(drop); err != nil {
		t.Fatal(err)
	}
	if q != "rehash" {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
		return
	}
	s := sqlite.NewDB(path)
	if err := s.Open(); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var rs []audit.Record
	if err := s.Each(context.Background(), server.AuditFilter{}, func(r *audit.Record) error { rs = append(rs, *r); return nil }); err != nil {
		t.Fatal(err)
	}
	prev := audit.GenesisHash
	for _, r := range rs {
		r.Reason = "omskrevet"
		audit.Seal(prev, &r)
		prev = r.Hash
		if _, err := db.Exec(`UPDATE audit SET reason = ?, digest = ?, prev = ?, hash = ? WHERE seq = ?`, r.Reason, r.Digest, r.Prev, r.Hash, r.Seq); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Exec(`DELETE FROM checkpoints; DELETE FROM audit_trees; DELETE FROM audit_tree;`); err != nil {
		t.Fatal(err)
	}
}
