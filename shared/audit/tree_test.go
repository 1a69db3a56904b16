package audit

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"
)

var t0 = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

// treeLog is a log kept in memory the way a store keeps it: records,
// the tree's stored hashes, and a signed checkpoint per batch.
type treeLog struct {
	key     ed25519.PrivateKey
	records []Record
	hashes  map[int64]tlog.Hash
	notes   []string
	head    Head
}

func newTreeLog() *treeLog {
	return &treeLog{key: ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize)), hashes: map[int64]tlog.Hash{}, head: Head{Hash: GenesisHash}}
}

func (l *treeLog) ReadHashes(idx []int64) ([]tlog.Hash, error) {
	return memHashes(l.hashes).ReadHashes(idx)
}

func (l *treeLog) append(t *testing.T, es []Entry) string {
	t.Helper()
	frontier := map[int64]tlog.Hash{}
	for _, i := range FrontierIndexes(l.head.TreeSize) {
		frontier[i] = l.hashes[i]
	}
	stored := map[string]bool{}
	for _, r := range l.records {
		stored[r.ID] = true
	}
	b, err := Sequence(l.head, es, stored, frontier, nil, t0)
	if err != nil {
		t.Fatal(err)
	}
	l.records = append(l.records, b.Records...)
	for _, h := range b.Hashes {
		l.hashes[h.Index] = h.Hash
	}
	l.head = b.Head
	n, err := SignCheckpointNote(l.key, b.Tree)
	if err != nil {
		t.Fatal(err)
	}
	l.notes = append(l.notes, n)
	return n
}

func entry(i int) Entry {
	return Entry{ID: fmt.Sprintf("00000000-0000-4000-8000-%012d", i), User: "kari", Platform: "facebook",
		At: t0.Format(time.RFC3339), Bundle: "v1", Action: ActionPublished, Findings: []Finding{{Rule: "pii.phone", Severity: "warn", Excerpt: "9*****78"}}}
}

func entries(from, to int) []Entry {
	var es []Entry
	for i := from; i <= to; i++ {
		es = append(es, entry(i))
	}
	return es
}

// TestSequenceTree checks that the tree Sequence keeps is tlog's: the
// checkpoint's root is the tree hash of the record hashes, and the
// stored hashes prove inclusion and consistency.
func TestSequenceTree(t *testing.T) {
	l := newTreeLog()
	old := l.append(t, entries(1, 5))
	l.append(t, entries(6, 7))
	cur := l.append(t, entries(8, 13))
	pub := l.key.Public().(ed25519.PublicKey)
	tree, err := OpenCheckpoint(cur, pub)
	if err != nil || tree.N != 13 {
		t.Fatalf("OpenCheckpoint = %+v, %v", tree, err)
	}
	proof, err := tlog.ProveTree(13, 5, l)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := CheckConsistency(old, cur, proof, pub); err != nil {
		t.Errorf("CheckConsistency(5, 13): %v", err)
	}
	rp, err := tlog.ProveRecord(13, 6, l)
	if err != nil {
		t.Fatal(err)
	}
	if err := tlog.CheckRecord(rp, 13, tree.Hash, 6, tlog.RecordHash(LeafData(l.records[6].Hash))); err != nil {
		t.Errorf("CheckRecord(7): %v", err)
	}
	// Duplicates are dropped, NUL is replaced, nil findings become [].
	e := entry(99)
	e.Reason, e.Findings = "a\x00b", nil
	b, err := Sequence(l.head, append(entries(13, 13), e, e), map[string]bool{entry(13).ID: true}, nil, nil, t0)
	if err == nil {
		t.Fatalf("Sequence without the frontier succeeded: %+v", b)
	}
	frontier := map[int64]tlog.Hash{}
	for _, i := range FrontierIndexes(13) {
		frontier[i] = l.hashes[i]
	}
	b, err = Sequence(l.head, append(entries(13, 13), e, e), map[string]bool{entry(13).ID: true}, frontier, nil, t0)
	if err != nil {
		t.Fatal(err)
	}
	if b.Duplicates != 2 || len(b.Records) != 1 || b.Records[0].Reason != "a\uFFFDb" || b.Records[0].Findings == nil || b.Tree.N != 14 {
		t.Errorf("Sequence = %d duplicates, records %+v, tree %d", b.Duplicates, b.Records, b.Tree.N)
	}
}

// TestSequenceCatchUp builds the tree of a log written before the tree
// existed: the pending records' hashes go in first.
func TestSequenceCatchUp(t *testing.T) {
	l := newTreeLog()
	l.append(t, entries(1, 6))
	var pending []string
	for _, r := range l.records {
		pending = append(pending, r.Hash)
	}
	b, err := Sequence(Head{Seq: 6, Hash: l.head.Hash}, entries(7, 8), nil, nil, pending, t0)
	if err != nil {
		t.Fatal(err)
	}
	l.append(t, entries(7, 8))
	if b.Tree != (tlog.Tree{N: 8, Hash: mustTree(t, l.notes[1])}) {
		t.Errorf("caught-up tree %v differs from the one built as the log grew", b.Tree)
	}
}

func mustTree(t *testing.T, n string) tlog.Hash {
	t.Helper()
	_, tree, err := ParseCheckpoint(strings.SplitN(n, "\n\n", 2)[0] + "\n")
	if err != nil {
		t.Fatal(err)
	}
	return tree.Hash
}

// TestTamperWithAnchor is every way an insider with write access to the
// database but not the signing key may tamper with the log, checked
// against a checkpoint held outside the database (a witness's, or one a
// verifier kept): each must be reported.
func TestTamperWithAnchor(t *testing.T) {
	for _, tc := range []struct {
		name   string
		tamper func(rs []Record, notes []string) ([]Record, []string)
		want   string // the fault kinds that must be among those reported
	}{
		{"intact", func(rs []Record, notes []string) ([]Record, []string) { return rs, notes }, ""},
		{"edited", func(rs []Record, notes []string) ([]Record, []string) {
			rs[3].Reason = "endret"
			return rs, notes
		}, "edited checkpoint fork"},
		{"deleted", func(rs []Record, notes []string) ([]Record, []string) {
			return append(rs[:4:4], rs[5:]...), notes
		}, "deleted"},
		{"reordered", func(rs []Record, notes []string) ([]Record, []string) {
			rs[1], rs[2] = rs[2], rs[1]
			return rs, notes
		}, "order"},
		{"tail cut, checkpoints kept", func(rs []Record, notes []string) ([]Record, []string) {
			return rs[:8], notes
		}, "deleted rollback"},
		{"tail cut with its checkpoints", func(rs []Record, notes []string) ([]Record, []string) {
			return rs[:5], notes[:1]
		}, "rollback"},
		{"rewritten and rehashed, checkpoints deleted", func(rs []Record, notes []string) ([]Record, []string) {
			prev := GenesisHash
			for i := range rs {
				rs[i].Reason = "omskrevet"
				Seal(prev, &rs[i])
				prev = rs[i].Hash
			}
			return rs, nil
		}, "no_checkpoint fork"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := newTreeLog()
			l.append(t, entries(1, 5))
			anchor := l.append(t, entries(6, 10))
			pub := l.key.Public().(ed25519.PublicKey)
			rs, notes := tc.tamper(l.records, l.notes)
			v := NewVerifier(pub, nil)
			v.AddTrees(notes)
			if err := v.AddAnchor(anchor, "vitne"); err != nil {
				t.Fatal(err)
			}
			v.Require(Coverage{})
			for i := range rs {
				v.Add(&rs[i])
			}
			rep := v.Finish()
			kinds := map[string]bool{}
			for _, f := range rep.Faults {
				kinds[f.Kind] = true
			}
			if tc.want == "" {
				if !rep.OK || rep.TreeCheckpoints != 2 {
					t.Errorf("intact log: %+v", rep)
				}
				return
			}
			var missing []string
			for _, k := range strings.Fields(tc.want) {
				if !kinds[k] {
					missing = append(missing, k)
				}
			}
			if rep.OK || len(missing) > 0 {
				t.Errorf("faults %+v lack %v", rep.Faults, missing)
			}
		})
	}
}

// TestWithoutAnchor: with no checkpoint from outside, a log with none of
// its own, or with records after the newest, fails.
func TestWithoutAnchor(t *testing.T) {
	l := newTreeLog()
	l.append(t, entries(1, 5))
	l.append(t, entries(6, 10))
	pub := l.key.Public().(ed25519.PublicKey)
	for _, tc := range []struct {
		name  string
		notes []string
		cover Coverage
		want  string
	}{
		{"covered", l.notes, Coverage{}, ""},
		{"no checkpoint", nil, Coverage{}, FaultNoCheckpoint},
		{"5 uncovered, none allowed", l.notes[:1], Coverage{}, FaultUncovered},
		{"5 uncovered, 10 allowed", l.notes[:1], Coverage{MaxEntries: 10}, ""},
		{"5 uncovered for an hour, 10 allowed for 30 min", l.notes[:1], Coverage{MaxEntries: 10, MaxAge: 30 * time.Minute, Now: t0.Add(time.Hour)}, FaultUncovered},
	} {
		v := NewVerifier(pub, nil)
		v.AddTrees(tc.notes)
		v.Require(tc.cover)
		for i := range l.records {
			v.Add(&l.records[i])
		}
		rep := v.Finish()
		got := ""
		for _, f := range rep.Faults {
			got += f.Kind
		}
		if got != tc.want {
			t.Errorf("%s: faults %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestForkShownToTwoClients: the server (or whoever holds its key) shows
// one client a log and another a different one of the same or greater
// size. A client that saw one and is then shown the other cannot be
// given a consistency proof that passes.
func TestForkShownToTwoClients(t *testing.T) {
	a, b := newTreeLog(), newTreeLog()
	a.append(t, entries(1, 5))
	b.append(t, entries(1, 4))
	b.append(t, entries(50, 50)) // same size, another fifth entry
	seenByA := a.notes[0]
	a.append(t, entries(6, 9))
	b.append(t, entries(6, 9))
	pub := a.key.Public().(ed25519.PublicKey)
	// Client A saw the fifth entry of log a, and is now shown log b.
	proof, err := tlog.ProveTree(9, 5, b)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := CheckConsistency(seenByA, b.notes[1], proof, pub); !errors.Is(err, ErrInconsistent) {
		t.Errorf("fork: CheckConsistency = %v, want ErrInconsistent", err)
	}
	if _, _, err := CheckConsistency(seenByA, b.notes[0], nil, pub); !errors.Is(err, ErrInconsistent) {
		t.Errorf("fork of equal size: CheckConsistency = %v, want ErrInconsistent", err)
	}
	// Rolled back: the current checkpoint is smaller than one seen.
	if _, _, err := CheckConsistency(a.notes[1], a.notes[0], nil, pub); !errors.Is(err, ErrInconsistent) {
		t.Errorf("rollback: CheckConsistency = %v, want ErrInconsistent", err)
	}
	// A checkpoint signed with another key is refused.
	other := ed25519.NewKeyFromSeed(append(make([]byte, 31), 1))
	forged, _ := SignCheckpointNote(other, tlog.Tree{N: 9})
	if _, _, err := CheckConsistency(seenByA, forged, nil, pub); err == nil {
		t.Error("a checkpoint signed by another key was accepted")
	}
}

func TestClockSkew(t *testing.T) {
	recv := t0.Format(time.RFC3339Nano)
	for _, tc := range []struct {
		at   time.Time
		want string
	}{
		{t0, ""},
		{t0.Add(time.Minute), ""},
		{t0.Add(time.Hour), SkewFuture},
		{time.Date(2029, 1, 1, 0, 0, 0, 0, time.UTC), SkewFuture},
		{t0.Add(-29 * 24 * time.Hour), ""},
		{time.Unix(0, 0), SkewStale},
	} {
		r := Record{Entry: Entry{At: tc.at.Format(time.RFC3339)}, Received: recv}
		if got := ClockSkew(&r); got != tc.want {
			t.Errorf("ClockSkew(at %s) = %q, want %q", tc.at, got, tc.want)
		}
	}
}
