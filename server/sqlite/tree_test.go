package sqlite_test

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"testing"
	"time"

	"github.com/postvakt/postvakt/server"
	"github.com/postvakt/postvakt/server/storetest"
	"github.com/postvakt/postvakt/shared/audit"
)

const dropTreeTriggers = `DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;
	DROP TRIGGER audit_tree_no_delete; DROP TRIGGER audit_trees_no_delete; `

func appendBatches(t *testing.T, db interface {
	Append(context.Context, []audit.Entry, time.Time) (server.AppendResult, error)
}, n int, sizes ...int) []string {
	t.Helper()
	var cps []string
	for b, size := range sizes {
		var es []audit.Entry
		for range size {
			n++
			es = append(es, storetest.Entry(n, "kari", "overridden", "pii.phone"))
		}
		res, err := db.Append(context.Background(), es, storetest.T0.Add(time.Duration(b)*time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		cps = append(cps, res.Checkpoint)
	}
	return cps
}

// TestMigrateExistingLog: a log written before the Merkle tree (no tree
// hashes, no tree checkpoints) gets its tree on the next append, which
// signs a checkpoint of it, and still verifies.
func TestMigrateExistingLog(t *testing.T) {
	ctx := context.Background()
	pub := storetest.Key.Public().(ed25519.PublicKey)
	db := MustOpenDB(t)
	appendBatches(t, db, 0, 3, 2, 2)
	if _, err := sqlExec(db.Path, dropTreeTriggers+`DELETE FROM audit_tree; DELETE FROM audit_trees;`); err != nil {
		t.Fatal(err)
	}
	res, err := db.Append(ctx, nil, storetest.T0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	tree, err := audit.OpenCheckpoint(res.Checkpoint, pub)
	if err != nil || tree.N != 7 {
		t.Fatalf("catch-up checkpoint %q: %+v, %v; want a tree of 7", res.Checkpoint, tree, err)
	}
	cps := appendBatches(t, db, 7, 4)
	p, _, err := server.ProveConsistency(ctx, db, pub, 7, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := audit.CheckConsistency(res.Checkpoint, cps[len(cps)-1], p, pub); err != nil {
		t.Errorf("consistency from the migrated tree: %v", err)
	}
	rep, err := server.VerifyLog(ctx, db, pub)
	if err != nil || !rep.OK || rep.TreeSize != 7+4 || rep.TreeCheckpoints != 2 {
		t.Errorf("VerifyLog after migration = %+v, %v", rep, err)
	}
}

// TestInsider is the attack on the database file by someone
// without the signing key: each must fail verification, the tail cut
// with its checkpoints only against a checkpoint kept outside.
func TestInsider(t *testing.T) {
	pub := storetest.Key.Public().(ed25519.PublicKey)
	for _, tc := range []struct {
		name   string
		sql    string
		anchor bool
		want   string
	}{
		{"tail cut with its checkpoints, no anchor", `DELETE FROM audit WHERE seq > 7; DELETE FROM checkpoints WHERE size > 7; DELETE FROM audit_trees WHERE size > 7;`, false, "[]"},
		{"tail cut with its checkpoints, anchor", `DELETE FROM audit WHERE seq > 7; DELETE FROM checkpoints WHERE size > 7; DELETE FROM audit_trees WHERE size > 7;`, true, "[rollback@8]"},
		{"every checkpoint deleted", `DELETE FROM checkpoints; DELETE FROM audit_trees;`, false, "[no_checkpoint@1]"},
		{"checkpoints of the tail deleted", `DELETE FROM checkpoints WHERE size > 7; DELETE FROM audit_trees WHERE size > 7;`, false, "[uncovered@8]"},
		{"edited, anchor", `UPDATE audit SET reason = 'x' WHERE seq = 2`, true, "[edited@2 checkpoint@3 fork@10]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			db := MustOpenDB(t)
			cps := appendBatches(t, db, 0, 3, 4, 3)
			if _, err := sqlExec(db.Path, dropTreeTriggers+`DROP TRIGGER IF EXISTS checkpoints_no_delete; `+tc.sql); err != nil {
				t.Fatal(err)
			}
			var o server.VerifyOptions
			if tc.anchor {
				o.Anchors = []server.Anchor{{Checkpoint: cps[2], Source: "saved.checkpoint"}}
			}
			rep, err := server.VerifyLogWith(ctx, db, pub, o)
			if err != nil {
				t.Fatal(err)
			}
			got := []string{}
			for _, f := range rep.Faults {
				got = append(got, fmt.Sprintf("%s@%d", f.Kind, f.Position))
			}
			if fmt.Sprint(got) != tc.want {
				t.Errorf("faults %v, want %s\n%+v", got, tc.want, rep.Faults)
			}
		})
	}
}
