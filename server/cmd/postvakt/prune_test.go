package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/postvakt/postvakt/server"
	pvhttp "github.com/postvakt/postvakt/server/http"
	"github.com/postvakt/postvakt/server/postgres/pgtest"
	"github.com/postvakt/postvakt/shared/audit"
	"github.com/postvakt/postvakt/shared/rules"
)

// TestAuditPrune runs `audit prune` against a log with entries received
// 400, 100 and 1 days ago, on SQLite and (when POSTVAKT_TEST_POSTGRES is
// set) PostgreSQL: the default cut-off is the retention period (365
// days, or the published bundle's retention_days), a date inside it needs
// --force, each prune is itself audited, and the log still verifies.
func TestAuditPrune(t *testing.T) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			flags := []string{"--data", t.TempDir()}
			if backend == "postgres" {
				flags = append(flags, "--db", pgtest.Schema(t))
			}
			fs := flag.NewFlagSet("test", flag.ContinueOnError)
			sf := addStoreFlags(fs, serveNoEnv)
			fs.Parse(flags)
			db, _, err := sf.open(ctx, true)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			for i, ago := range []time.Duration{400 * day, 400 * day, 100 * day, day} {
				e := audit.Entry{ID: fmt.Sprintf("6f1c2a3b-4d5e-4f60-8a7b-%012d", i), User: "ola", Unit: "oppvekst", Platform: "facebook",
					At: now.Add(-ago).Format(time.RFC3339), Bundle: "b", Action: "overridden", Reason: "Godkjent av leder",
					Findings: []audit.Finding{{Rule: "pii.phone", Severity: "warn", Excerpt: "9*****78"}}}
				if _, err := db.Append(ctx, []audit.Entry{e}, now.Add(-ago)); err != nil {
					t.Fatal(err)
				}
			}
			for _, step := range []struct {
				name    string
				args    []string
				publish int // publish a bundle with this retention_days first
				want    string
			}{
				{"a date inside the period", []string{"--before", "2026-11-12"}, 0, "error: 2026-11-12 is inside the organisation's retention period of 365 days"},
				{"the default period", nil, 0, "pruned the contents of 2 entries received before 2025-11-22 (retention 365 days)"},
				{"again", nil, 0, "pruned the contents of 0 entries"},
				{"the bundle's period", nil, 30, "pruned the contents of 1 entries received before 2026-10-23 (retention 30 days)"},
				{"a bad date", []string{"--before", "i fjor"}, 0, `error: --before: "i fjor" is not a date`},
				{"forced", []string{"--before", "2026-11-23", "--force"}, 0, "pruned the contents of 1 entries received before 2026-11-23"},
			} {
				if step.publish > 0 {
					publishRetention(t, db, step.publish, now)
				}
				var out bytes.Buffer
				err := runAuditPrune(ctx, append(append([]string{}, flags...), step.args...), serveNoEnv, &out, &out, now)
				got := out.String()
				if err != nil {
					got = "error: " + err.Error()
				}
				if !strings.HasPrefix(got, step.want) {
					t.Errorf("%s: got %q, want %q…", step.name, got, step.want)
				}
			}
			rs, err := db.List(ctx, server.AuditFilter{Action: audit.ActionAuditPruned})
			// Every run is recorded, with its cutoff, before it prunes; the
			// records of earlier runs are kept whole, as the evidence that
			// vouches for what was pruned.
			if err != nil || len(rs) != 4 || rs[0].Pruned || rs[3].Pruned || rs[0].Before != "2026-11-23T00:00:00Z" || rs[3].Before != "2025-11-22T00:00:00Z" {
				t.Errorf("audit_pruned records: %d (%v); want 4, kept whole, with their cutoffs", len(rs), err)
			}
			var out bytes.Buffer
			if err := run(ctx, append([]string{"audit", "verify"}, flags...), serveNoEnv, nil, &out, &out); err != nil ||
				!strings.Contains(out.String(), "ok: 8 entries (4 with contents pruned") {
				t.Errorf("audit verify after pruning: %v\n%s", err, out.String())
			}
			// An export verifies too, and carries nothing of the pruned contents.
			cp := filepath.Join(t.TempDir(), "cp.json")
			var export bytes.Buffer
			if err := run(ctx, append([]string{"audit", "export", "--checkpoints", cp}, flags...), serveNoEnv, nil, &export, io.Discard); err != nil {
				t.Fatal(err)
			}
			if n := strings.Count(export.String(), "Godkjent av leder"); n != 0 {
				t.Errorf("the export holds %d pruned reasons", n)
			}
			out.Reset()
			if err := run(ctx, []string{"audit", "verify", "--checkpoints", cp, "-"}, serveNoEnv, &export, &out, &out); err != nil ||
				!strings.Contains(out.String(), "ok: 8 entries (4 with contents pruned") {
				t.Errorf("audit verify of the export: %v\n%s", err, out.String())
			}
		})
	}
}

// publishRetention publishes the built-in bundle with retention_days set.
func publishRetention(t *testing.T, db store, days int, now time.Time) {
	t.Helper()
	b := rules.Builtin()
	b.Version = fmt.Sprintf("retention-%d", days)
	b.Org.RetentionDays = days
	data, _ := json.Marshal(b)
	v, _, err := pvhttp.PrepareBundle(data)
	if err != nil {
		t.Fatal(err)
	}
	v.CreatedBy, v.CreatedAt = "test", now
	ctx := context.Background()
	if err := db.CreateBundle(ctx, v); err != nil {
		t.Fatal(err)
	}
	if err := db.Publish(ctx, server.Publication{Version: v.Version, PublishedBy: "test", PublishedAt: now}); err != nil {
		t.Fatal(err)
	}
}
