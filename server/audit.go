package server

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/postvakt/postvakt/shared/audit"
	"golang.org/x/mod/sumdb/tlog"
)

// AuditFilter selects records. Zero fields do not filter.
type AuditFilter struct {
	// From and To are on the server's received time, never the client's
	// At (which a wrong clock may put anywhere); To is exclusive.
	From, To time.Time
	User     string
	Unit     string
	Platform string
	Rule     string
	Action   string
	// Before pages backwards: only records with Seq < Before (0: from the
	// newest). Limit caps the page (0: no limit).
	Before int64
	Limit  int
	// After pages Each forwards: only records with Seq > After.
	After int64
}

// AppendResult says what Append did with a batch.
type AppendResult struct {
	Accepted   int `json:"accepted"`
	Duplicates int `json:"duplicates"`
	// Checkpoint is the signed checkpoint (a signed note, see
	// shared/audit) of the log's Merkle tree after the append: it covers
	// every entry of the batch, new or duplicate.
	Checkpoint string `json:"checkpoint,omitempty"`
}

// PruneResult says what Prune did.
type PruneResult struct {
	// Pruned is how many records had their contents removed.
	Pruned int64 `json:"pruned"`
	// Kept is how many records received before the date keep their
	// contents because they were appended before content digests
	// existed (their hash commits to the contents).
	Kept int64 `json:"kept"`
}

// RuleWeek is a count of findings of one rule in one ISO week.
type RuleWeek struct {
	Week  string // "2026-W47"
	Rule  string
	Count int
}

// AuditLog is the append-only, hash-chained audit log.
type AuditLog interface {
	// Append adds entries in order. An entry whose ID is already in the
	// log, or earlier in the same batch, is counted as a duplicate and not
	// stored. Each stored record is chained to its predecessor and, after
	// the batch, a checkpoint of the new head is signed. Received is set
	// to now.
	Append(ctx context.Context, entries []audit.Entry, now time.Time) (AppendResult, error)
	// List returns records matching f, newest first.
	List(ctx context.Context, f AuditFilter) ([]audit.Record, error)
	// Get returns the record at position seq, or ENOTFOUND.
	Get(ctx context.Context, seq int64) (*audit.Record, error)
	// Each calls fn for every record matching f in position order (f's
	// Before is ignored; After and Limit, when set, page forwards); it
	// stops at fn's first error.
	Each(ctx context.Context, f AuditFilter, fn func(*audit.Record) error) error
	// Checkpoints returns every signed checkpoint, oldest first.
	Checkpoints(ctx context.Context) ([]audit.Checkpoint, error)
	// TreeHashes returns the stored hashes of the log's Merkle tree at the
	// given tlog storage indexes (tlog.HashReader), for proofs.
	TreeHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error)
	// TreeCheckpoints returns every signed checkpoint of the tree (signed
	// notes), smallest first; LatestCheckpoint the newest, or "".
	TreeCheckpoints(ctx context.Context) ([]string, error)
	LatestCheckpoint(ctx context.Context) (string, error)
	// RuleWeeks counts findings per rule per ISO week of the received time.
	RuleWeeks(ctx context.Context, f AuditFilter) ([]RuleWeek, error)
	// Prune removes the contents of every record received before before,
	// as audit.Record.Prune does, in one transaction; the chain still
	// verifies. Pruning is the one change the log allows. Call PruneLog,
	// which first records the prune in the log: the verifier reports
	// pruned records that no audit_pruned entry covers.
	Prune(ctx context.Context, before time.Time) (PruneResult, error)
}

// PruneLog removes the contents of records received before before, after
// appending an audit_pruned entry (by user "postvakt", with reason) that
// states the cutoff. The entry comes first so that a crash in between
// leaves a harmless entry, never pruned records nothing vouches for.
func PruneLog(ctx context.Context, log AuditLog, before, now time.Time, reason string) (PruneResult, error) {
	e := audit.Entry{ID: uuid.NewString(), User: "postvakt", Platform: "server", At: now.UTC().Format(time.RFC3339),
		Action: audit.ActionAuditPruned, Findings: []audit.Finding{}, Reason: reason, Before: before.UTC().Format(time.RFC3339)}
	if _, err := log.Append(ctx, []audit.Entry{e}, now); err != nil {
		return PruneResult{}, err
	}
	return log.Prune(ctx, before)
}

// VerifyLog replays the whole log against its signed checkpoints; pub is
// the server's checkpoint key. Every record must be covered by a signed
// checkpoint (the server signs one in the transaction of each append).
func VerifyLog(ctx context.Context, log AuditLog, pub []byte) (audit.Report, error) {
	return VerifyLogWith(ctx, log, pub, VerifyOptions{})
}
