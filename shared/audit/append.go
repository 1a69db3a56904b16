package audit

import (
	"fmt"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/tlog"
)

// Head is the state of a log that an append continues from, as a store
// reads it under its append lock.
type Head struct {
	// Seq is how many records the log holds, Hash the chain hash of the
	// last one (GenesisHash for an empty log).
	Seq  int64
	Hash string
	// TreeSize is how many records the Merkle tree holds: the size of the
	// newest signed checkpoint. It is less than Seq only for a log written
	// before the tree existed, whose records Sequence adds first.
	TreeSize int64
}

// StoredHash is one hash of the Merkle tree, at its tlog storage index
// (tlog.StoredHashIndex).
type StoredHash struct {
	Index int64
	Hash  tlog.Hash
}

// Batch is what one append stores: the new records, the tree hashes they
// add, and the new tree, whose checkpoint the store signs.
type Batch struct {
	Records []Record
	// At is each record's At parsed, for the stores' time columns.
	At         []time.Time
	Duplicates int
	Hashes     []StoredHash
	Tree       tlog.Tree
	Head       Head
}

// EntryError says why an entry cannot be appended at all.
type EntryError struct {
	ID  string
	Msg string
}

func (e *EntryError) Error() string { return fmt.Sprintf("entry %s: %s", e.ID, e.Msg) }

// noNUL replaces NUL characters, which PostgreSQL text cannot hold, by
// U+FFFD, and invalid UTF-8 likewise, so that every store keeps exactly
// what was hashed.
func noNUL(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if strings.IndexByte(s, 0) < 0 {
		return s
	}
	return strings.ReplaceAll(s, "\x00", "\uFFFD")
}

// CleanEntry returns e as every store keeps it: NUL characters and
// invalid UTF-8 replaced by U+FFFD in every text field, and nil findings
// as an empty list. Sequence applies it before hashing.
func CleanEntry(e Entry) Entry {
	for _, p := range []*string{&e.ID, &e.User, &e.Unit, &e.Platform, &e.Host, &e.Kind, &e.At, &e.Bundle, &e.Action, &e.Reason, &e.TextSHA256, &e.Before} {
		*p = noNUL(*p)
	}
	fs := make([]Finding, len(e.Findings))
	for i, f := range e.Findings {
		fs[i] = Finding{Rule: noNUL(f.Rule), Severity: noNUL(f.Severity), Excerpt: noNUL(f.Excerpt)}
	}
	e.Findings = fs
	return e
}

// FrontierIndexes are the storage indexes of the hashes an append to a
// tree of n records reads: the roots of its maximal complete subtrees.
// A store reads them (and, for a log older than the tree, the pending
// records' hashes) before calling Sequence.
func FrontierIndexes(n int64) []int64 {
	var out []int64
	start := int64(0)
	for l := 62; l >= 0; l-- {
		if n&(1<<l) != 0 {
			out = append(out, tlog.StoredHashIndex(l, start>>l))
			start += 1 << l
		}
	}
	return out
}

// LeafData is what a record contributes to the Merkle tree: its chain
// hash (hex), which commits to its position, its received time, its
// predecessor and its contents' digest.
func LeafData(hash string) []byte { return []byte(hash) }

// memHashes is a tlog.HashReader over the hashes a batch has at hand.
type memHashes map[int64]tlog.Hash

func (m memHashes) ReadHashes(idx []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(idx))
	for i, x := range idx {
		h, ok := m[x]
		if !ok {
			return nil, fmt.Errorf("audit: tree hash %d is not at hand", x)
		}
		out[i] = h
	}
	return out, nil
}

// Sequence is the one append path of every store. Given the log's head,
// the frontier hashes of its tree (FrontierIndexes of head.TreeSize), the
// chain hashes of records head.TreeSize+1..head.Seq when the tree lags
// (pending), the ids among entries the log already holds (stored) and the
// server's received time, it cleans each entry (CleanEntry), drops
// duplicates (already stored or earlier in the batch), parses At, gives
// each record the next position, chains and seals it, and adds every
// record to the Merkle tree. The entry's At is never refused for its
// value, however far from received it is: see ClockSkew.
func Sequence(head Head, entries []Entry, stored map[string]bool, frontier map[int64]tlog.Hash, pending []string, received time.Time) (*Batch, error) {
	if int64(len(pending)) != head.Seq-head.TreeSize {
		return nil, fmt.Errorf("audit: the tree holds %d records, the log %d, but %d pending hashes were given", head.TreeSize, head.Seq, len(pending))
	}
	hashes := memHashes(frontier)
	if hashes == nil {
		hashes = memHashes{}
	}
	b := &Batch{Head: head}
	add := func(n int64, hash string) error {
		hs, err := tlog.StoredHashes(n, LeafData(hash), hashes)
		if err != nil {
			return err
		}
		first := tlog.StoredHashIndex(0, n)
		for i, h := range hs {
			hashes[first+int64(i)] = h
			b.Hashes = append(b.Hashes, StoredHash{Index: first + int64(i), Hash: h})
		}
		return nil
	}
	for i, h := range pending {
		if err := add(head.TreeSize+int64(i), h); err != nil {
			return nil, err
		}
	}
	seen := make(map[string]bool, len(entries))
	recv := received.UTC().Format(time.RFC3339Nano)
	seq, prev := head.Seq, head.Hash
	for _, e := range entries {
		e = CleanEntry(e)
		if stored[e.ID] || seen[e.ID] {
			b.Duplicates++
			continue
		}
		seen[e.ID] = true
		at, err := time.Parse(time.RFC3339, e.At)
		if err != nil {
			return nil, &EntryError{ID: e.ID, Msg: "at is not an RFC 3339 time"}
		}
		seq++
		r := Record{Seq: seq, Entry: e, Received: recv}
		Seal(prev, &r)
		prev = r.Hash
		if err := add(seq-1, r.Hash); err != nil {
			return nil, err
		}
		b.Records = append(b.Records, r)
		b.At = append(b.At, at)
	}
	th, err := tlog.TreeHash(seq, hashes)
	if err != nil {
		return nil, err
	}
	b.Tree = tlog.Tree{N: seq, Hash: th}
	b.Head = Head{Seq: seq, Hash: prev, TreeSize: seq}
	return b, nil
}

// Clock skew marks, for an entry whose At is implausible next to the
// server's received time.
const (
	SkewFuture = "future" // At is after the server received the entry
	SkewStale  = "stale"  // At is older than the browser's queue could have held it
)

// ClockTolerance is how far after its receipt an entry's At may be before
// it is marked SkewFuture (clocks a little ahead are common), and
// MaxQueueAge how long a browser's queue can plausibly hold an entry
// before an older At is marked SkewStale.
const (
	ClockTolerance = 2 * time.Minute
	MaxQueueAge    = 30 * 24 * time.Hour
)

// ClockSkew says whether r's At is implausible next to its Received: ""
// when it is plausible, SkewFuture or SkewStale. Entries are never
// refused for their At (a late queue must not lose entries), so filters
// and charts use Received, and pages show this mark next to At.
func ClockSkew(r *Record) string {
	at, err1 := time.Parse(time.RFC3339, r.At)
	recv, err2 := time.Parse(time.RFC3339Nano, r.Received)
	if err1 != nil || err2 != nil {
		return ""
	}
	switch {
	case at.After(recv.Add(ClockTolerance)):
		return SkewFuture
	case at.Before(recv.Add(-MaxQueueAge)):
		return SkewStale
	}
	return ""
}

// IDs returns the entries' ids as Sequence cleans them, for the stores'
// lookup of ids already in the log.
func IDs(entries []Entry) []string {
	out := make([]string, len(entries))
	for i := range entries {
		out[i] = noNUL(entries[i].ID)
	}
	return out
}
