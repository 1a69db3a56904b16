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
)

// GenesisHash is the Prev of the first record: 64 zeros.
var GenesisHash = strings.Repeat("0", 2*sha256.Size)

const (
	recordDomain     = "postvakt-audit-record-v1\n"
	checkpointDomain = "postvakt-audit-checkpoint-v1\n"
)

// hashed is the part of a record its hash covers, in a fixed field order.
type hashed struct {
	Seq      int64  `json:"seq"`
	Received string `json:"received"`
	Entry    Entry  `json:"entry"`
}

// Hash computes a record's hash from prev (hex) and its contents: SHA-256
// over a domain string, prev, and the canonical JSON of seq, received and
// the entry. It ignores r.Prev and r.Hash, so a verifier can recompute it
// from what is stored and compare.
func Hash(prev string, r *Record) string {
	e := r.Entry
	if e.Findings == nil {
		e.Findings = []Finding{}
	}
	body, err := json.Marshal(hashed{Seq: r.Seq, Received: r.Received, Entry: e})
	if err != nil {
		// Marshal of plain strings, ints and bools cannot fail.
		panic("audit: " + err.Error())
	}
	h := sha256.New()
	h.Write([]byte(recordDomain))
	h.Write([]byte(prev))
	h.Write([]byte{'\n'})
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// Seal sets r.Prev to prev and r.Hash to the record's hash.
func Seal(prev string, r *Record) {
	r.Prev = prev
	r.Hash = Hash(prev, r)
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
	Checkpoints int     `json:"checkpoints"`
	Faults      []Fault `json:"faults"`
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
	last     int64  // last position seen
	stored   string // stored hash of the last record
	chain    string // hash recomputed from contents along the chain
	faults   []Fault
	overflow bool
	// cpFault is the index in faults of the first checkpoint mismatch;
	// later mismatches follow from it and are only counted.
	cpFault int
	cpLater int
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
	if Hash(r.Prev, r) != r.Hash {
		v.fault(Fault{Kind: FaultEdited, Position: r.Seq, Msg: "contents do not match the record's hash (edited)"})
	}
	if !gap && r.Prev != v.stored {
		v.fault(Fault{Kind: FaultChain, Position: r.Seq, Msg: fmt.Sprintf("does not chain to position %d (that record was edited and rehashed, or replaced)", v.last)})
	}
	// The recomputed chain ignores stored hashes, so a record that was
	// edited and rehashed still breaks every later checkpoint.
	if !gap {
		v.chain = Hash(v.chain, r)
	} else {
		v.chain = Hash(r.Prev, r)
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

// Finish returns the report.
func (v *Verifier) Finish() Report {
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
	return Report{OK: len(fs) == 0, Entries: v.n, Size: v.last, Checkpoints: v.checked, Faults: fs}
}
