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
	v := &Verifier{cps: map[int64][]Checkpoint{}, stored: GenesisHash, chain: GenesisHash, cpFault: -1}
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
		v.fault(Fault{Kind: FaultOrder, Position: r.Seq, Msg: fmt.Sprintf("position %d follows position %d", r.Seq, v.last)})
		return
	}
	gap := r.Seq > v.last+1
	if gap {
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
	if v.cpLater > 0 && v.cpFault < len(v.faults) {
		v.faults[v.cpFault].Msg += fmt.Sprintf("; %d later checkpoints fail too", v.cpLater)
	}
	if v.overflow {
		v.faults = append(v.faults, Fault{Kind: FaultOrder, Position: v.last, Msg: fmt.Sprintf("more than %d faults; the rest are not listed", MaxFaults)})
	}
	fs := v.faults
	if fs == nil {
		fs = []Fault{}
	}
	return Report{OK: len(fs) == 0, Entries: v.n, Size: v.last, Checkpoints: v.checked, Pruned: v.pruned, Faults: fs}
}
