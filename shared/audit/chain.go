package audit

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/tlog"
)

// GenesisHash is the Prev of the first record: 64 zeros.
var GenesisHash = strings.Repeat("0", 2*sha256.Size)

const (
	recordDomain     = "postvakt-audit-record-v1\n"
	recordDomainV2   = "postvakt-audit-record-v2\n"
	checkpointDomain = "postvakt-audit-checkpoint-v1\n"
)

// hashed is the part of a version-1 record its hash covers, in a fixed
// field order.
type hashed struct {
	Seq      int64  `json:"seq"`
	Received string `json:"received"`
	Entry    Entry  `json:"entry"`
}

// hashedV2 is the part of a version-2 record its hash covers: the
// position, the server's time, the fields a pruned record keeps, and the
// digest of the whole entry.
type hashedV2 struct {
	Seq      int64  `json:"seq"`
	Received string `json:"received"`
	ID       string `json:"id"`
	At       string `json:"at"`
	Action   string `json:"action"`
	Digest   string `json:"digest"`
}

func marshal(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		// Marshal of plain strings, ints and bools cannot fail.
		panic("audit: " + err.Error())
	}
	return b
}

// ContentDigest is the lower-case hex SHA-256 of the canonical JSON of e
// (its fields in declaration order, nil findings as []). It is what a
// version-2 record's hash commits to in place of the contents.
func ContentDigest(e *Entry) string {
	c := *e
	if c.Findings == nil {
		c.Findings = []Finding{}
	}
	h := sha256.Sum256(marshal(c))
	return hex.EncodeToString(h[:])
}

// digestOf is the digest a record's hash is computed with: recomputed from
// the contents, except for a pruned record, which has only its stored one.
func digestOf(r *Record) string {
	if r.Pruned {
		return r.Digest
	}
	return ContentDigest(&r.Entry)
}

func hashWith(prev string, r *Record, digest string) string {
	h := sha256.New()
	if r.Digest == "" {
		// A version-1 record commits to its contents directly.
		e := r.Entry
		if e.Findings == nil {
			e.Findings = []Finding{}
		}
		h.Write([]byte(recordDomain))
		h.Write([]byte(prev))
		h.Write([]byte{'\n'})
		h.Write(marshal(hashed{Seq: r.Seq, Received: r.Received, Entry: e}))
		return hex.EncodeToString(h.Sum(nil))
	}
	h.Write([]byte(recordDomainV2))
	h.Write([]byte(prev))
	h.Write([]byte{'\n'})
	h.Write(marshal(hashedV2{Seq: r.Seq, Received: r.Received, ID: r.ID, At: r.At, Action: r.Action, Digest: digest}))
	return hex.EncodeToString(h.Sum(nil))
}

// Hash computes a record's hash from prev (hex) and what it stores. A
// version-2 record (one with a Digest) hashes a domain string, prev, and
// the canonical JSON of seq, received, id, at, action and the digest of
// the entry, recomputed from the contents unless the record is pruned. A
// version-1 record (no Digest, appended before retention existed) hashes
// the canonical JSON of seq, received and the whole entry. Hash ignores
// r.Prev and r.Hash, so a verifier can recompute it and compare.
func Hash(prev string, r *Record) string { return hashWith(prev, r, digestOf(r)) }

// Seal sets r's digest from its entry, r.Prev to prev and r.Hash to the
// record's hash. Sealed records are always version 2.
func Seal(prev string, r *Record) {
	r.Digest = ContentDigest(&r.Entry)
	r.Pruned = false
	r.Prev = prev
	r.Hash = hashWith(prev, r, r.Digest)
}

// Prune removes r's contents, keeping its position, id, time, action,
// digest and hashes, and marks it pruned; its hash still verifies. It
// reports false, and changes nothing, for a record that is already pruned
// or has no digest (version 1: its hash commits to the contents, which
// therefore cannot be removed).
func (r *Record) Prune() bool {
	if r.Pruned || r.Digest == "" {
		return false
	}
	r.Entry = Entry{ID: r.ID, At: r.At, Action: r.Action, Findings: []Finding{}}
	r.Pruned = true
	return true
}

// blank reports whether a pruned record holds nothing but what Prune keeps.
func (r *Record) blank() bool {
	e := r.Entry
	return e.User == "" && e.Unit == "" && e.Platform == "" && e.Host == "" && e.Kind == "" && e.Bundle == "" &&
		len(e.Findings) == 0 && e.Reason == "" && !e.Archive && e.TextSHA256 == "" && e.Dropped == 0 && e.Before == ""
}

// Checkpoint is a signed statement that the log's first Size records end
// in the record whose hash is Hash.
type Checkpoint struct {
	Size int64  `json:"size"`
	Hash string `json:"hash"`
	// Time is when the server signed, RFC 3339 in UTC.
	Time string `json:"time"`
	// KeyID names the signing key: the first 16 hex digits of SHA-256 of
	// the public key.
	KeyID string `json:"key_id"`
	// Sig is the ed25519 signature of Message(), base64 (standard).
	Sig string `json:"sig"`
}

// Message is the text a checkpoint's signature covers.
func (c *Checkpoint) Message() []byte {
	return []byte(checkpointDomain + strconv.FormatInt(c.Size, 10) + "\n" + c.Hash + "\n" + c.Time + "\n")
}

// KeyID returns the id of an ed25519 public key.
func KeyID(pub ed25519.PublicKey) string {
	h := sha256.Sum256(pub)
	return hex.EncodeToString(h[:8])
}

// SignCheckpoint returns a checkpoint for a log of size records ending in
// hash, signed with key at time t (RFC 3339).
func SignCheckpoint(key ed25519.PrivateKey, size int64, hash, t string) Checkpoint {
	c := Checkpoint{Size: size, Hash: hash, Time: t, KeyID: KeyID(key.Public().(ed25519.PublicKey))}
	c.Sig = base64.StdEncoding.EncodeToString(ed25519.Sign(key, c.Message()))
	return c
}

// VerifySignature reports whether c was signed by pub.
func (c *Checkpoint) VerifySignature(pub ed25519.PublicKey) bool {
	sig, err := base64.StdEncoding.DecodeString(c.Sig)
	if err != nil || len(pub) != ed25519.PublicKeySize {
		return false
	}
	return ed25519.Verify(pub, c.Message(), sig)
}

// Finding kinds of a verification.
const (
	FaultEdited     = "edited"     // the record's contents do not match its hash
	FaultDeleted    = "deleted"    // records are missing at these positions
	FaultChain      = "chain"      // the record does not follow its predecessor
	FaultCheckpoint = "checkpoint" // a signed checkpoint does not match the log
	FaultSignature  = "signature"  // a checkpoint's signature is invalid
	FaultOrder      = "order"      // a position appears twice or out of order
	FaultPruned     = "pruned"     // contents removed with no audit_pruned entry covering them
	// The Merkle tree's checkpoints (see checkpoint.go).
	FaultNoCheckpoint = "no_checkpoint" // the log has entries but no signed checkpoint of its tree
	FaultUncovered    = "uncovered"     // too many entries, or too old ones, after the newest checkpoint
	FaultFork         = "fork"          // a checkpoint held outside the database does not match the log
	FaultRollback     = "rollback"      // a checkpoint held outside the database covers more than the log holds
)

// Fault is one problem a Verifier found, located by position (Seq). For
// deletions, Position..To is the missing range.
type Fault struct {
	Kind     string `json:"kind"`
	Position int64  `json:"position"`
	To       int64  `json:"to,omitempty"`
	Msg      string `json:"message"`
}

func (f Fault) String() string {
	if f.To > f.Position {
		return fmt.Sprintf("positions %d-%d: %s", f.Position, f.To, f.Msg)
	}
	return fmt.Sprintf("position %d: %s", f.Position, f.Msg)
}

// Report is the result of a verification.
type Report struct {
	OK bool `json:"ok"`
	// Entries is how many records were read, Size the last position seen.
	Entries int64 `json:"entries"`
	Size    int64 `json:"size"`
	// Checkpoints is how many signed checkpoints were checked against the log.
	Checkpoints int `json:"checkpoints"`
	// Pruned is how many of the records had their contents pruned after
	// the retention period; they verify by their stored digest.
	Pruned int64   `json:"pruned"`
	Faults []Fault `json:"faults"`
	// TreeCheckpoints is how many signed checkpoints of the Merkle tree
	// were checked, TreeSize the size of the newest, Root the tree hash
	// of the records read (base64), Anchor the checkpoint held outside the
	// database that the log was checked against, if any.
	TreeCheckpoints int    `json:"tree_checkpoints"`
	TreeSize        int64  `json:"tree_size"`
	Root            string `json:"root,omitempty"`
	Anchor          string `json:"anchor,omitempty"`
}

// MaxFaults bounds a report; a log rewritten from the start would
// otherwise list every record.
const MaxFaults = 1000

// Verifier replays records in position order against signed checkpoints.
// Feed it with Add, then call Finish.
type Verifier struct {
	cps      map[int64][]Checkpoint
	maxCP    int64
	checked  int
	n        int64  // records read
	pruned   int64  // pruned records read
	last     int64  // last position seen
	stored   string // stored hash of the last record
	chain    string // hash recomputed from contents along the chain
	faults   []Fault
	overflow bool
	// cpFault is the index in faults of the first checkpoint mismatch;
	// later mismatches follow from it and are only counted.
	cpFault int
	cpLater int
	// uncovered are runs of pruned records that no later audit_pruned
	// entry has covered yet, in position order.
	uncovered []prunedRun

	pub ed25519.PublicKey
	// frontier holds the roots of the maximal complete subtrees of the
	// Merkle tree of the recomputed record hashes read so far.
	frontier []subtree
	// trees are the log's own signed tree checkpoints by size, anchors
	// those held outside the database (a witness, a file).
	trees    map[int64][]tlog.Tree
	anchors  map[int64][]anchor
	treeMax  int64
	anchMax  anchor
	treesOK  int
	coverage Coverage
	firstOut string // received time of the first record after treeMax
	gapSeen  bool   // a deletion or reordering was reported
}

type subtree struct {
	size int64
	hash tlog.Hash
}

type anchor struct {
	tree   tlog.Tree
	source string
}

// Coverage bounds the entries after the newest signed checkpoint: more
// than MaxEntries of them (negative: no bound), or, when MaxAge is set,
// one received more than MaxAge before Now, is a FaultUncovered.
type Coverage struct {
	MaxEntries int64
	MaxAge     time.Duration
	Now        time.Time
}

// prunedRun is consecutive pruned records; latest is the newest Received
// among them.
type prunedRun struct {
	from, to int64
	latest   string
}

// NewVerifier returns a verifier that trusts only checkpoints signed by pub.
// Checkpoints with a bad signature are reported and not used.
func NewVerifier(pub ed25519.PublicKey, cps []Checkpoint) *Verifier {
	v := &Verifier{cps: map[int64][]Checkpoint{}, stored: GenesisHash, chain: GenesisHash, cpFault: -1,
		pub: pub, trees: map[int64][]tlog.Tree{}, anchors: map[int64][]anchor{}, coverage: Coverage{MaxEntries: -1}}
	for _, c := range cps {
		if !c.VerifySignature(pub) {
			v.fault(Fault{Kind: FaultSignature, Position: c.Size, Msg: "checkpoint signature is not valid for the server's key"})
			continue
		}
		v.cps[c.Size] = append(v.cps[c.Size], c)
		if c.Size > v.maxCP {
			v.maxCP = c.Size
		}
	}
	return v
}

// AddTrees adds the log's own signed checkpoints of its Merkle tree
// (signed notes, see checkpoint.go); call it before Add. A checkpoint
// whose signature is not the log key's is reported and not used.
func (v *Verifier) AddTrees(notes []string) {
	for _, n := range notes {
		t, err := OpenCheckpoint(n, v.pub)
		if err != nil {
			v.fault(Fault{Kind: FaultSignature, Position: 0, Msg: "a stored tree checkpoint is not valid: " + err.Error()})
			continue
		}
		v.trees[t.N] = append(v.trees[t.N], t)
		v.treeMax = max(v.treeMax, t.N)
	}
}

// AddAnchor adds a checkpoint of the log held outside the database, by
// source (a witness, a file a verifier kept): the log must extend it.
// Call it before Add.
func (v *Verifier) AddAnchor(signed, source string) error {
	t, err := OpenCheckpoint(signed, v.pub)
	if err != nil {
		return fmt.Errorf("%s: %w", source, err)
	}
	a := anchor{tree: t, source: source}
	v.anchors[t.N] = append(v.anchors[t.N], a)
	if t.N >= v.anchMax.tree.N {
		v.anchMax = a
	}
	return nil
}

// Require sets the bound on entries after the newest signed checkpoint.
func (v *Verifier) Require(c Coverage) { v.coverage = c }

// root is the Merkle tree hash of the records read so far (RFC 6962: the
// maximal complete subtrees folded from the right).
func (v *Verifier) root() tlog.Hash {
	if len(v.frontier) == 0 {
		return tlog.Hash{}
	}
	h := v.frontier[len(v.frontier)-1].hash
	for i := len(v.frontier) - 2; i >= 0; i-- {
		h = tlog.NodeHash(v.frontier[i].hash, h)
	}
	return h
}

func (v *Verifier) addLeaf(data []byte) {
	v.frontier = append(v.frontier, subtree{1, tlog.RecordHash(data)})
	for n := len(v.frontier); n >= 2 && v.frontier[n-1].size == v.frontier[n-2].size; n = len(v.frontier) {
		v.frontier[n-2] = subtree{2 * v.frontier[n-2].size, tlog.NodeHash(v.frontier[n-2].hash, v.frontier[n-1].hash)}
		v.frontier = v.frontier[:n-1]
	}
}

func (v *Verifier) checkTrees(seq int64) {
	if len(v.trees[seq]) == 0 && len(v.anchors[seq]) == 0 {
		return
	}
	root := v.root()
	for _, t := range v.trees[seq] {
		v.treesOK++
		if t.Hash != root {
			// Like the chain's checkpoints: the first mismatch is
			// reported, later ones follow from it and are counted.
			// After a gap the tree's root differs anyway: the deletion
			// is the fault to report.
			if v.cpFault >= 0 || v.gapSeen {
				v.cpLater++
				continue
			}
			v.cpFault = len(v.faults)
			v.fault(Fault{Kind: FaultCheckpoint, Position: seq, Msg: fmt.Sprintf("the signed tree checkpoint of the first %d records does not match: a record at or before this position was changed, removed or reordered", t.N)})
		}
	}
	for _, a := range v.anchors[seq] {
		if a.tree.Hash != root {
			v.fault(Fault{Kind: FaultFork, Position: seq, Msg: fmt.Sprintf("the checkpoint of the first %d records held by %s does not match the log: it was rewritten, or shows different histories to different readers (forked)", a.tree.N, a.source)})
		}
	}
}

func (v *Verifier) fault(f Fault) {
	if len(v.faults) >= MaxFaults {
		v.overflow = true
		return
	}
	v.faults = append(v.faults, f)
}

// Add checks the next record.
func (v *Verifier) Add(r *Record) {
	v.n++
	if r.Seq <= v.last {
		v.gapSeen = true
		v.fault(Fault{Kind: FaultOrder, Position: r.Seq, Msg: fmt.Sprintf("position %d follows position %d", r.Seq, v.last)})
		return
	}
	gap := r.Seq > v.last+1
	if gap {
		v.gapSeen = true
		v.fault(Fault{Kind: FaultDeleted, Position: v.last + 1, To: r.Seq - 1, Msg: "records missing (deleted)"})
	}
	d := digestOf(r)
	switch {
	case r.Pruned && !r.blank():
		v.fault(Fault{Kind: FaultEdited, Position: r.Seq, Msg: "the record is marked pruned but still has contents, which its digest does not cover (edited)"})
	case hashWith(r.Prev, r, d) != r.Hash:
		v.fault(Fault{Kind: FaultEdited, Position: r.Seq, Msg: "contents do not match the record's hash (edited)"})
	case r.Digest != "" && d != r.Digest:
		v.fault(Fault{Kind: FaultEdited, Position: r.Seq, Msg: "the stored content digest does not match the contents (edited)"})
	}
	if r.Pruned {
		v.pruned++
		if n := len(v.uncovered); n > 0 && v.uncovered[n-1].to == r.Seq-1 {
			run := &v.uncovered[n-1]
			run.to = r.Seq
			if r.Received > run.latest {
				run.latest = r.Received
			}
		} else {
			v.uncovered = append(v.uncovered, prunedRun{from: r.Seq, to: r.Seq, latest: r.Received})
		}
	} else if r.Action == ActionAuditPruned && r.Before != "" {
		v.cover(r.Before)
	}
	if !gap && r.Prev != v.stored {
		v.fault(Fault{Kind: FaultChain, Position: r.Seq, Msg: fmt.Sprintf("does not chain to position %d (that record was edited and rehashed, or replaced)", v.last)})
	}
	// The recomputed chain ignores stored hashes, so a record that was
	// edited and rehashed still breaks every later checkpoint.
	if !gap {
		v.chain = hashWith(v.chain, r, d)
	} else {
		v.chain = hashWith(r.Prev, r, d)
	}
	v.stored = r.Hash
	v.last = r.Seq
	v.addLeaf(LeafData(v.chain))
	v.checkTrees(r.Seq)
	if r.Seq == max(v.treeMax, v.maxCP)+1 {
		v.firstOut = r.Received
	}
	for _, c := range v.cps[r.Seq] {
		v.checked++
		if c.Hash != v.chain {
			if v.cpFault >= 0 {
				v.cpLater++
				continue
			}
			v.cpFault = len(v.faults)
			v.fault(Fault{Kind: FaultCheckpoint, Position: r.Seq, Msg: fmt.Sprintf("the checkpoint signed at %s for the first %d records does not match: a record at or before this position was changed", c.Time, c.Size)})
		}
	}
}

// cover drops the runs of pruned records received before before: an
// audit_pruned entry vouches for them. Times are RFC 3339 in UTC, which
// compare as strings; a run whose newest record is not older stays.
func (v *Verifier) cover(before string) {
	b, err := time.Parse(time.RFC3339Nano, before)
	if err != nil {
		return
	}
	left := v.uncovered[:0]
	for _, run := range v.uncovered {
		if t, err := time.Parse(time.RFC3339Nano, run.latest); err != nil || !t.Before(b) {
			left = append(left, run)
		}
	}
	v.uncovered = left
}

// Finish returns the report.
func (v *Verifier) Finish() Report {
	for _, run := range v.uncovered {
		v.fault(Fault{Kind: FaultPruned, Position: run.from, To: run.to,
			Msg: "contents removed, but no later audit_pruned entry covers them (removed outside postvakt audit prune)"})
	}
	v.uncovered = nil
	if v.maxCP > v.last {
		v.fault(Fault{Kind: FaultDeleted, Position: v.last + 1, To: v.maxCP, Msg: fmt.Sprintf("a signed checkpoint covers %d records but the log ends at position %d (deleted)", v.maxCP, v.last)})
	}
	if a := v.anchMax; a.tree.N > v.last {
		v.fault(Fault{Kind: FaultRollback, Position: v.last + 1, To: a.tree.N, Msg: fmt.Sprintf("%s holds a checkpoint of %d records but the log ends at position %d: its tail was cut or the log rolled back", a.source, a.tree.N, v.last)})
	}
	if v.treeMax > v.last && v.treeMax > v.maxCP {
		v.fault(Fault{Kind: FaultDeleted, Position: v.last + 1, To: v.treeMax, Msg: fmt.Sprintf("a signed tree checkpoint covers %d records but the log ends at position %d (deleted)", v.treeMax, v.last)})
	}
	// Checkpoints of the hash chain, from before the tree, vouch too.
	covered := max(v.treeMax, v.maxCP)
	if v.last > 0 && covered == 0 {
		v.fault(Fault{Kind: FaultNoCheckpoint, Position: 1, To: v.last, Msg: "the log has no signed checkpoint: nothing signed vouches for it (were the checkpoints deleted?)"})
	} else if out := v.last - covered; out > 0 {
		c := v.coverage
		switch {
		case c.MaxEntries >= 0 && out > c.MaxEntries:
			v.fault(Fault{Kind: FaultUncovered, Position: covered + 1, To: v.last, Msg: fmt.Sprintf("%d records after the newest signed checkpoint (at most %d allowed): were the checkpoints covering them deleted?", out, c.MaxEntries)})
		case c.MaxAge > 0:
			if t, err := time.Parse(time.RFC3339Nano, v.firstOut); err == nil && c.Now.Sub(t) > c.MaxAge {
				v.fault(Fault{Kind: FaultUncovered, Position: covered + 1, To: v.last, Msg: fmt.Sprintf("records received %s ago are not covered by a signed checkpoint (at most %s allowed)", c.Now.Sub(t).Round(time.Second), c.MaxAge)})
			}
		}
	}
	if v.cpLater > 0 && v.cpFault >= 0 && v.cpFault < len(v.faults) {
		v.faults[v.cpFault].Msg += fmt.Sprintf("; %d later checkpoints fail too", v.cpLater)
	}
	if v.overflow {
		v.faults = append(v.faults, Fault{Kind: FaultOrder, Position: v.last, Msg: fmt.Sprintf("more than %d faults; the rest are not listed", MaxFaults)})
	}
	fs := v.faults
	if fs == nil {
		fs = []Fault{}
	}
	rep := Report{OK: len(fs) == 0, Entries: v.n, Size: v.last, Checkpoints: v.checked, Pruned: v.pruned, Faults: fs,
		TreeCheckpoints: v.treesOK, TreeSize: v.treeMax}
	if v.anchMax.source != "" {
		rep.Anchor = fmt.Sprintf("%s (%d records)", v.anchMax.source, v.anchMax.tree.N)
	}
	if len(v.frontier) > 0 {
		rep.Root = v.root().String()
	}
	return rep
}
