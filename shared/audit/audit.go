// Package audit is the audit-entry model shared by the extension (which
// builds entries) and the server (which stores, chains and verifies them).
//
// An Entry never holds the draft text: only who, where, when, the bundle
// version, the action, each finding's rule, severity and masked excerpt, an
// override reason, the archive flag and TextHash of the normalised text, so
// that a published post can later be matched to its entry.
//
// The server appends entries to a hash chain: each Record commits to its
// predecessor's hash and to a digest of its entry (see Hash), and the
// server signs Checkpoints of the chain's head with ed25519. Because the
// hash covers the digest rather than the entry, the contents of records
// older than the retention period can be removed (Record.Prune) while the
// chain still verifies. A Verifier replays a log (from the database or
// from an export) against the signed checkpoints and reports every edited,
// deleted or reordered record by its position. The package is pure Go: no
// I/O, no clock reads.
package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/google/uuid"
	"golang.org/x/text/unicode/norm"
)

// Actions a writer's browser reports.
const (
	ActionPublished  = "published"
	ActionCancelled  = "cancelled"
	ActionOverridden = "overridden"
	ActionBlocked    = "blocked"
	// ActionDropped says that a browser's audit queue was full and
	// discarded Dropped of its oldest entries; the entry itself carries
	// no findings.
	ActionDropped = "dropped"
)

// Actions the server records for admin work.
const (
	ActionBundleCreated   = "bundle_created"
	ActionBundlePublished = "bundle_published"
	ActionBundleRollback  = "bundle_rolled_back"
	ActionCrisisOn        = "crisis_on"
	ActionCrisisOff       = "crisis_off"
	// ActionAuditPruned records that entry contents older than the
	// retention period were removed.
	ActionAuditPruned = "audit_pruned"
	// Account changes; the entry's reason names the account and the change.
	ActionAccountCreated  = "account_created"
	ActionAccountDisabled = "account_disabled"
	ActionAccountEnabled  = "account_enabled"
	ActionAccountRoles    = "account_roles_changed"
	ActionAccountReset    = "account_password_reset"
	ActionAccountPassword = "account_password_set"
	// ActionCheckpointAlarm records that a browser found the log's
	// checkpoints inconsistent (rolled back or forked); Reason says how.
	ActionCheckpointAlarm = "checkpoint_alarm"
)

// ClientActions are the actions a client may send.
var ClientActions = []string{ActionPublished, ActionCancelled, ActionOverridden, ActionBlocked, ActionDropped}

// AllActions are every action a record may carry, in the order pages list them.
var AllActions = []string{ActionPublished, ActionCancelled, ActionOverridden, ActionBlocked, ActionDropped,
	ActionBundleCreated, ActionBundlePublished, ActionBundleRollback, ActionCrisisOn, ActionCrisisOff, ActionAuditPruned,
	ActionAccountCreated, ActionAccountDisabled, ActionAccountEnabled, ActionAccountRoles, ActionAccountReset, ActionAccountPassword,
	ActionCheckpointAlarm}

// Platforms an entry may name; "server" is used for admin actions.
var Platforms = []string{"facebook", "instagram", "linkedin", "x", "youtube", "tiktok", "other", "server"}

// Limits on what one entry may carry. They bound storage and keep free
// text short enough that it cannot smuggle a draft into the log.
const (
	MaxFindings   = 200
	MaxFieldLen   = 200  // user, unit, host, bundle, rule, excerpt
	MaxReasonLen  = 2000 // override reason
	MaxBatch      = 500  // entries per POST /audit
	MaxDropped    = 1 << 30
	TextHashBytes = sha256.Size
)

// Finding is what an entry keeps of one finding: never the text itself,
// only the masked excerpt (see shared/redact).
type Finding struct {
	Rule     string `json:"rule"`
	Severity string `json:"severity"`
	Excerpt  string `json:"excerpt,omitempty"`
}

// Entry is one audit entry as a client sends it. The JSON shape is the
// contract with the extension; field names are append-only.
type Entry struct {
	// ID is a client-made UUID, the idempotency key.
	ID string `json:"id"`
	// User is set by the server from the access token; a client's value is
	// ignored.
	User     string `json:"user"`
	Unit     string `json:"unit,omitempty"`
	Platform string `json:"platform"`
	Host     string `json:"host,omitempty"`
	Kind     string `json:"kind,omitempty"`
	// At is when the action happened, RFC 3339.
	At       string    `json:"at"`
	Bundle   string    `json:"bundle"`
	Action   string    `json:"action"`
	Findings []Finding `json:"findings"`
	Reason   string    `json:"reason,omitempty"`
	Archive  bool      `json:"archive"`
	// TextSHA256 is TextHash of the draft text, lower-case hex.
	TextSHA256 string `json:"text_sha256,omitempty"`
	// Dropped is, on a "dropped" entry only, how many entries the
	// browser's queue discarded unsent.
	Dropped int `json:"dropped,omitempty"`
	// Before is, on an "audit_pruned" entry only, the time (RFC 3339)
	// before which received records may have had their contents removed.
	// The verifier accepts a pruned record only if a later audit_pruned
	// entry covers it, so contents removed outside `postvakt audit prune`
	// are reported.
	Before string `json:"before,omitempty"`
}

// Record is an Entry as the log stores it: its position, when the server
// received it, and the chain hashes.
type Record struct {
	// Seq is the 1-based position in the log.
	Seq int64 `json:"seq"`
	Entry
	// Received is the server's time of appending, RFC 3339 in UTC.
	Received string `json:"received"`
	// Digest is ContentDigest of the entry as it was appended, lower-case
	// hex; the record's hash commits to it rather than to the contents, so
	// that the contents can be pruned after the retention period while the
	// chain still verifies. Records appended before digests were introduced
	// have none; their hash commits to the contents directly.
	Digest string `json:"digest,omitempty"`
	// Pruned says the contents were removed after the retention period:
	// only ID, At and Action are kept (see Prune).
	Pruned bool `json:"pruned,omitempty"`
	// Prev is the hash of the record at Seq-1 (GenesisHash for Seq 1), Hash
	// this record's; both lower-case hex.
	Prev string `json:"prev"`
	Hash string `json:"hash"`
}

// NormalizeText is the form of a draft's text that TextHash hashes: Unicode
// NFC, every run of white space replaced by one space, trimmed. Case is
// kept. The extension must compute the same string.
func NormalizeText(s string) string {
	s = norm.NFC.String(strings.ToValidUTF8(s, "\uFFFD"))
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// TextHash returns the lower-case hex SHA-256 of NormalizeText(s).
func TextHash(s string) string {
	h := sha256.Sum256([]byte(NormalizeText(s)))
	return hex.EncodeToString(h[:])
}

// Problem is one thing wrong with an entry, located by a field path such as
// `findings[2].rule`.
type Problem struct {
	Path string `json:"path"`
	Msg  string `json:"message"`
}

// Validate checks a client's entry and returns every problem. The caller
// sets User before or after; Validate does not look at it.
func (e *Entry) Validate() []Problem {
	var ps []Problem
	add := func(path, format string, args ...any) {
		ps = append(ps, Problem{Path: path, Msg: fmt.Sprintf(format, args...)})
	}
	if u, err := uuid.Parse(e.ID); err != nil || u.String() != e.ID {
		add("id", "must be a UUID in its canonical lower-case form")
	}
	if !contains(ClientActions, e.Action) {
		add("action", "must be one of %s", strings.Join(ClientActions, ", "))
	}
	if e.Platform == "" || !contains(Platforms, e.Platform) || e.Platform == "server" {
		add("platform", "must be one of %s", strings.Join(Platforms[:len(Platforms)-1], ", "))
	}
	if e.Kind != "" && e.Kind != "post" && e.Kind != "reply" && e.Kind != "message" {
		add("kind", "must be post, reply or message")
	}
	if _, err := time.Parse(time.RFC3339, e.At); err != nil {
		add("at", "must be an RFC 3339 time")
	}
	for _, f := range []struct{ path, v string }{{"unit", e.Unit}, {"host", e.Host}, {"bundle", e.Bundle}} {
		if len(f.v) > MaxFieldLen {
			add(f.path, "is longer than %d bytes", MaxFieldLen)
		}
	}
	if len(e.Reason) > MaxReasonLen {
		add("reason", "is longer than %d bytes", MaxReasonLen)
	}
	if e.Action == ActionOverridden && strings.TrimSpace(e.Reason) == "" {
		add("reason", "is required when the action is overridden")
	}
	switch {
	case e.Action == ActionDropped && (e.Dropped < 1 || e.Dropped > MaxDropped):
		add("dropped", "must be between 1 and %d when the action is dropped", MaxDropped)
	case e.Action != ActionDropped && e.Dropped != 0:
		add("dropped", "is only allowed when the action is dropped")
	}
	if e.Before != "" {
		add("before", "is set by the server only")
	}
	if e.TextSHA256 != "" {
		if b, err := hex.DecodeString(e.TextSHA256); err != nil || len(b) != TextHashBytes || strings.ToLower(e.TextSHA256) != e.TextSHA256 {
			add("text_sha256", "must be 64 lower-case hex digits")
		}
	}
	if len(e.Findings) > MaxFindings {
		add("findings", "has more than %d findings", MaxFindings)
	}
	for i, f := range e.Findings {
		p := fmt.Sprintf("findings[%d]", i)
		if f.Rule == "" || len(f.Rule) > MaxFieldLen {
			add(p+".rule", "is required and at most %d bytes", MaxFieldLen)
		}
		if f.Severity != "info" && f.Severity != "warn" && f.Severity != "block" {
			add(p+".severity", "must be info, warn or block")
		}
		if len(f.Excerpt) > MaxFieldLen {
			add(p+".excerpt", "is longer than %d bytes", MaxFieldLen)
		}
	}
	return ps
}

// Rules returns the distinct rule ids of the entry's findings, in order.
func (e *Entry) Rules() []string {
	var out []string
	for _, f := range e.Findings {
		if !contains(out, f.Rule) {
			out = append(out, f.Rule)
		}
	}
	return out
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
