package server

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"time"

	"github.com/postvakt/postvakt/shared/audit"
	"golang.org/x/mod/sumdb/tlog"
)

// Anchor is a signed checkpoint of the log held outside its database: by
// a witness, or saved by whoever verifies.
type Anchor struct {
	Checkpoint string
	// Source names where it came from, for the report.
	Source string
}

// VerifyOptions are what VerifyLogWith checks besides the log itself.
type VerifyOptions struct {
	Anchors []Anchor
	// MaxUncovered is how many records may follow the newest signed
	// checkpoint (0: none), MaxUncoveredAge how long ago the first of
	// them may have been received (0: any), measured at Now.
	MaxUncovered    int64
	MaxUncoveredAge time.Duration
	Now             time.Time
}

// verifyPage is how many records VerifyLogWith reads at a time.
const verifyPage = 2000

// VerifyLogWith replays the whole log against its signed checkpoints, the
// hash chain's and the Merkle tree's, and against the anchors: the log
// must extend each of them.
func VerifyLogWith(ctx context.Context, log AuditLog, pub []byte, o VerifyOptions) (audit.Report, error) {
	cps, err := log.Checkpoints(ctx)
	if err != nil {
		return audit.Report{}, err
	}
	trees, err := log.TreeCheckpoints(ctx)
	if err != nil {
		return audit.Report{}, err
	}
	v := audit.NewVerifier(pub, cps)
	v.AddTrees(trees)
	for _, a := range o.Anchors {
		if err := v.AddAnchor(a.Checkpoint, a.Source); err != nil {
			return audit.Report{}, Errorf(EINVALID, "The checkpoint from %s cannot be used: %v", a.Source, err)
		}
	}
	v.Require(audit.Coverage{MaxEntries: o.MaxUncovered, MaxAge: o.MaxUncoveredAge, Now: o.Now})
	// A page at a time, so that a verification holds a database
	// connection only while it reads.
	f := AuditFilter{Limit: verifyPage}
	for {
		n := 0
		if err := log.Each(ctx, f, func(r *audit.Record) error { v.Add(r); n++; f.After = r.Seq; return nil }); err != nil {
			return audit.Report{}, err
		}
		if n < verifyPage {
			return v.Finish(), nil
		}
	}
}

// treeReader reads a log's stored tree hashes for tlog.
type treeReader struct {
	ctx context.Context
	log AuditLog
}

func (r treeReader) ReadHashes(idx []int64) ([]tlog.Hash, error) { return r.log.TreeHashes(r.ctx, idx) }

// currentSize is the size of the newest signed checkpoint.
func currentSize(ctx context.Context, log AuditLog, pub ed25519.PublicKey) (int64, string, error) {
	cp, err := log.LatestCheckpoint(ctx)
	if err != nil || cp == "" {
		return 0, cp, err
	}
	t, err := audit.OpenCheckpoint(cp, pub)
	if err != nil {
		return 0, "", fmt.Errorf("the newest checkpoint: %w", err)
	}
	return t.N, cp, nil
}

// ProveConsistency returns a proof that the log's tree of size newSize
// extends its tree of size oldSize; newSize 0 means the newest signed
// checkpoint, which is returned too.
func ProveConsistency(ctx context.Context, log AuditLog, pub ed25519.PublicKey, oldSize, newSize int64) ([]tlog.Hash, string, error) {
	size, cp, err := currentSize(ctx, log, pub)
	if err != nil {
		return nil, "", err
	}
	if newSize == 0 {
		newSize = size
	}
	if oldSize < 0 || oldSize > newSize || newSize > size {
		return nil, "", Errorf(EINVALID, "A consistency proof needs 0 ≤ old ≤ new ≤ %d (the signed tree size).", size)
	}
	if oldSize == 0 || oldSize == newSize {
		return []tlog.Hash{}, cp, nil
	}
	p, err := tlog.ProveTree(newSize, oldSize, treeReader{ctx, log})
	if err != nil {
		return nil, "", fmt.Errorf("prove consistency %d→%d: %w", oldSize, newSize, err)
	}
	return p, cp, nil
}

// ProveInclusion returns a proof that the record at seq is in the log's
// tree of size size (0: the newest signed checkpoint, returned too).
func ProveInclusion(ctx context.Context, log AuditLog, pub ed25519.PublicKey, seq, size int64) ([]tlog.Hash, string, error) {
	cur, cp, err := currentSize(ctx, log, pub)
	if err != nil {
		return nil, "", err
	}
	if size == 0 {
		size = cur
	}
	if seq < 1 || seq > size || size > cur {
		return nil, "", Errorf(EINVALID, "An inclusion proof needs 1 ≤ seq ≤ size ≤ %d (the signed tree size).", cur)
	}
	p, err := tlog.ProveRecord(size, seq-1, treeReader{ctx, log})
	if err != nil {
		return nil, "", fmt.Errorf("prove inclusion of %d in %d: %w", seq, size, err)
	}
	return p, cp, nil
}
