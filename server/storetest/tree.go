package storetest

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/postvakt/postvakt/server"
	"github.com/postvakt/postvakt/shared/audit"
	"golang.org/x/mod/sumdb/tlog"
)

// testAuditClean is the one append path's contract on what a store
// keeps: NUL characters (which PostgreSQL text cannot hold) become
// U+FFFD before hashing in every store, null findings are stored as [],
// and no entry is refused for its at, however far from its receipt:
// lists, filters and the chart go by the received time.
func testAuditClean(t *testing.T, s Store) {
	ctx := context.Background()
	pub := Key.Public().(ed25519.PublicKey)
	nul := Entry(1, "kari", "overridden", "pii.phone")
	nul.Reason, nul.Host, nul.Findings[0].Excerpt = "Godkjent\x00av leder", "www.face\x00book.com", "9*\x00*78"
	null := Entry(2, "kari", "published")
	null.Findings = nil
	past := Entry(3, "ola", "blocked", "pii.national_id")
	past.At = "1970-01-01T00:00:00Z"
	future := Entry(4, "ola", "blocked", "pii.national_id")
	future.At = "2029-06-01T12:00:00+02:00"
	res, err := s.Append(ctx, []audit.Entry{nul, null, past, future}, T0)
	wantCode(t, "Append", err, "")
	if res.Accepted != 4 {
		t.Fatalf("Append = %+v, want 4 accepted", res)
	}
	for _, tc := range []struct {
		seq  int64
		want func(r *audit.Record) bool
		what string
	}{
		{1, func(r *audit.Record) bool {
			return r.Reason == "Godkjent\uFFFDav leder" && r.Host == "www.face\uFFFDbook.com" && r.Findings[0].Excerpt == "9*\uFFFD*78"
		}, "NUL replaced by U+FFFD"},
		{2, func(r *audit.Record) bool { return r.Findings != nil && len(r.Findings) == 0 }, "null findings stored as []"},
		{3, func(r *audit.Record) bool { return r.At == past.At && audit.ClockSkew(r) == audit.SkewStale }, "1970 kept and marked stale"},
		{4, func(r *audit.Record) bool { return r.At == future.At && audit.ClockSkew(r) == audit.SkewFuture }, "2029 kept and marked future"},
	} {
		r, err := s.Get(ctx, tc.seq)
		wantCode(t, "Get", err, "")
		if !tc.want(r) {
			t.Errorf("record %d: want %s, got %+v", tc.seq, tc.what, r)
		}
	}
	// A resent NUL entry is a duplicate.
	if res, _ := s.Append(ctx, []audit.Entry{nul}, T0.Add(time.Hour)); res.Duplicates != 1 {
		t.Errorf("resent NUL entry: %+v, want a duplicate", res)
	}
	day := server.AuditFilter{From: T0.Add(-time.Hour), To: T0.Add(time.Hour)}
	if rs, _ := s.List(ctx, day); len(rs) != 4 {
		t.Errorf("List of the day they were received: %d records, want all 4", len(rs))
	}
	if rs, _ := s.List(ctx, server.AuditFilter{From: time.Date(2029, 1, 1, 0, 0, 0, 0, time.UTC)}); len(rs) != 0 {
		t.Errorf("List from 2029: %d records, want none (filters use the received time)", len(rs))
	}
	weeks, _ := s.RuleWeeks(ctx, server.AuditFilter{})
	if got := fmt.Sprint(weeks); got != "[{2026-W47 pii.national_id 2} {2026-W47 pii.phone 1}]" {
		t.Errorf("RuleWeeks = %s, want every finding in the week received", got)
	}
	rep, err := server.VerifyLog(ctx, s, pub)
	wantCode(t, "VerifyLog", err, "")
	if !rep.OK || rep.Entries != 4 || rep.TreeCheckpoints != 1 {
		t.Errorf("VerifyLog = %+v", rep)
	}
}

// testAuditTree checks the Merkle tree: each append answers with a
// signed checkpoint covering the batch (duplicates included), and the
// store serves consistency and inclusion proofs between any two.
func testAuditTree(t *testing.T, s Store) {
	ctx := context.Background()
	pub := Key.Public().(ed25519.PublicKey)
	var cps []string
	for b := range 5 {
		var es []audit.Entry
		for i := range 3 + b {
			es = append(es, Entry(100*b+i+1, "kari", "published"))
		}
		res, err := s.Append(ctx, es, T0.Add(time.Duration(b)*time.Minute))
		wantCode(t, "Append", err, "")
		tree, err := audit.OpenCheckpoint(res.Checkpoint, pub)
		if err != nil {
			t.Fatalf("batch %d: checkpoint %q: %v", b, res.Checkpoint, err)
		}
		if want := int64(3*(b+1) + b*(b+1)/2); tree.N != want {
			t.Errorf("batch %d: checkpoint of %d records, want %d", b, tree.N, want)
		}
		cps = append(cps, res.Checkpoint)
	}
	res, err := s.Append(ctx, []audit.Entry{Entry(1, "kari", "published")}, T0.Add(time.Hour))
	wantCode(t, "Append duplicate", err, "")
	if res.Duplicates != 1 || res.Checkpoint != cps[4] {
		t.Errorf("duplicate-only append: %+v, want the newest checkpoint", res)
	}
	latest, err := s.LatestCheckpoint(ctx)
	if err != nil || latest != cps[4] {
		t.Errorf("LatestCheckpoint = %q, %v", latest, err)
	}
	all, err := s.TreeCheckpoints(ctx)
	if err != nil || len(all) != 5 || all[0] != cps[0] {
		t.Errorf("TreeCheckpoints: %d, %v", len(all), err)
	}
	for i := range cps {
		for j := i; j < len(cps); j++ {
			o, _ := audit.OpenCheckpoint(cps[i], pub)
			n, _ := audit.OpenCheckpoint(cps[j], pub)
			p, _, err := server.ProveConsistency(ctx, s, pub, o.N, n.N)
			if err != nil {
				t.Fatalf("ProveConsistency(%d, %d): %v", o.N, n.N, err)
			}
			if _, _, err := audit.CheckConsistency(cps[i], cps[j], p, pub); err != nil {
				t.Errorf("consistency %d→%d: %v", o.N, n.N, err)
			}
		}
	}
	head, _ := audit.OpenCheckpoint(cps[4], pub)
	for seq := int64(1); seq <= head.N; seq++ {
		p, _, err := server.ProveInclusion(ctx, s, pub, seq, 0)
		if err != nil {
			t.Fatalf("ProveInclusion(%d): %v", seq, err)
		}
		r, _ := s.Get(ctx, seq)
		if err := tlog.CheckRecord(p, head.N, head.Hash, seq-1, tlog.RecordHash(audit.LeafData(r.Hash))); err != nil {
			t.Errorf("inclusion of %d: %v", seq, err)
		}
	}
	if _, _, err := server.ProveConsistency(ctx, s, pub, 3, head.N+1); server.ErrorCode(err) != server.EINVALID {
		t.Errorf("proof past the signed size: %v, want EINVALID", err)
	}
	if !strings.HasPrefix(cps[0], audit.LogOrigin(pub)+"\n") {
		t.Errorf("checkpoint does not start with the origin: %q", cps[0])
	}
}
