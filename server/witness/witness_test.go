package witness_test

import (
	"context"
	"crypto/ed25519"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/postvakt/postvakt/server/sqlite"
	"github.com/postvakt/postvakt/server/storetest"
	"github.com/postvakt/postvakt/server/witness"
	"github.com/postvakt/postvakt/shared/audit"
	"golang.org/x/mod/sumdb/note"
)

func openLog(t *testing.T, key ed25519.PrivateKey) *sqlite.DB {
	t.Helper()
	db := sqlite.NewDB(filepath.Join(t.TempDir(), "postvakt.db"))
	db.Signer = key
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func add(t *testing.T, db *sqlite.DB, from, to int) {
	t.Helper()
	var es []audit.Entry
	for i := from; i <= to; i++ {
		es = append(es, storetest.Entry(i, "kari", "published"))
	}
	if _, err := db.Append(context.Background(), es, storetest.T0); err != nil {
		t.Fatal(err)
	}
}

// TestWitness: the witness cosigns a log's checkpoints as it grows, and
// refuses a log rolled back or forked behind the first one's back, and a
// log it does not know.
func TestWitness(t *testing.T) {
	ctx := context.Background()
	key := storetest.Key
	pub := key.Public().(ed25519.PublicKey)
	wkey := ed25519.NewKeyFromSeed(append(make([]byte, 31), 9))
	w := &witness.Witness{Name: "vitne", Key: wkey, Dir: t.TempDir()}
	w.AddLog(pub)
	srv := httptest.NewServer(w.Handler())
	defer srv.Close()

	real := openLog(t, key)
	c := witness.NewClient([]string{srv.URL}, real, pub, nil)
	add(t, real, 1, 5)
	cosig, err := c.Push(ctx, srv.URL)
	if err != nil || !strings.HasPrefix(cosig, "— vitne ") {
		t.Fatalf("first push: %q, %v", cosig, err)
	}
	add(t, real, 6, 9)
	if _, err := c.Push(ctx, srv.URL); err != nil {
		t.Fatalf("consistent successor refused: %v", err)
	}
	held, _ := w.Latest(audit.LogOrigin(pub))
	wv, _ := audit.NoteVerifier("vitne", wkey.Public().(ed25519.PublicKey))
	lv, _ := audit.NoteVerifier(audit.LogOrigin(pub), pub)
	n, err := note.Open([]byte(held), note.VerifierList(wv, lv))
	if err != nil || len(n.Sigs) != 2 || !strings.Contains(n.Text, "\n9\n") {
		t.Fatalf("held checkpoint %q: %+v, %v; want the log's and the witness's signatures on size 9", held, n, err)
	}

	for _, tc := range []struct {
		name  string
		build func(db *sqlite.DB)
		want  string
	}{
		// The same key (an insider with the key, or a database restored
		// from a backup and appended to) shows a different history.
		{"forked: other entries after the fifth", func(db *sqlite.DB) { add(t, db, 1, 5); add(t, db, 60, 66) }, "status 422"},
		{"forked: same size", func(db *sqlite.DB) { add(t, db, 1, 5); add(t, db, 60, 63) }, "status 422"},
		{"rolled back", func(db *sqlite.DB) { add(t, db, 1, 5); add(t, db, 6, 7) }, "rolled back"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := openLog(t, key)
			tc.build(db)
			_, err := witness.NewClient([]string{srv.URL}, db, pub, nil).Push(ctx, srv.URL)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("push: %v, want an error with %q", err, tc.want)
			}
		})
	}
	if after, _ := w.Latest(audit.LogOrigin(pub)); after != held {
		t.Errorf("the witness's checkpoint changed after refusals")
	}
	other := openLog(t, ed25519.NewKeyFromSeed(append(make([]byte, 31), 3)))
	add(t, other, 1, 2)
	if _, err := witness.NewClient([]string{srv.URL}, other, other.Signer.Public().(ed25519.PublicKey), nil).Push(ctx, srv.URL); err == nil || !strings.Contains(err.Error(), "status 404") {
		t.Errorf("unknown log: %v, want 404", err)
	}
	anchors, err := c.Anchors(ctx)
	if err != nil || len(anchors) != 1 || anchors[0].Checkpoint != held {
		t.Errorf("Anchors = %+v, %v", anchors, err)
	}
}
