package main

import (
	"bytes"
	"context"
	"flag"
	"strings"
	"testing"
	"time"

	"github.com/postvakt/postvakt/server"
	"github.com/postvakt/postvakt/server/postgres/pgtest"
	"github.com/postvakt/postvakt/server/storetest"
	"github.com/postvakt/postvakt/shared/audit"
)

// TestJournalPrune runs `journal prune` on SQLite and PostgreSQL: items
// journaled before the retention period go, those on legal hold or not
// yet journaled stay, and the prune is an audit entry.
func TestJournalPrune(t *testing.T) {
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
			j := db.(server.JournalStore)
			ids := []string{"00000000-0000-4000-8000-0000000000d1", "00000000-0000-4000-8000-0000000000d2", "00000000-0000-4000-8000-0000000000d3", "00000000-0000-4000-8000-0000000000d4"}
			for i, id := range ids {
				it := storetest.JournalItem(id, "plan", "https://facebook.com/p/"+id)
				if err := j.CreateJournal(ctx, it); err != nil {
					t.Fatal(err)
				}
				if i < 3 {
					if err := j.FileJournal(ctx, id, "ref", "arkivar", now.Add(-time.Duration(400-100*i)*day), nil); err != nil {
						t.Fatal(err)
					}
				}
			}
			if err := j.SetJournalHold(ctx, ids[1], true, now, nil); err != nil {
				t.Fatal(err)
			}
			for _, step := range []struct {
				name string
				args []string
				want string
			}{
				{"inside the period", []string{"--before", "2026-11-01"}, "error: 2026-11-01 is inside the organisation's retention period of 365 days"},
				{"the default period", nil, "deleted 1 journaled items filed before 2025-11-22"},
				{"forced", []string{"--before", "2026-11-01", "--force"}, "deleted 1 journaled items filed before 2026-11-01"},
			} {
				var out bytes.Buffer
				err := runJournalPrune(ctx, append(append([]string{}, flags...), step.args...), serveNoEnv, &out, &out, now)
				got := out.String()
				if err != nil {
					got = "error: " + err.Error()
				}
				if !strings.HasPrefix(got, step.want) {
					t.Errorf("%s: got %q, want %q…", step.name, got, step.want)
				}
			}
			its, _ := j.ListJournal(ctx, server.JournalFilter{})
			if len(its) != 2 {
				t.Errorf("after pruning %d items are left, want 2 (the held one and the one not journaled)", len(its))
			}
			rs, _ := db.List(ctx, server.AuditFilter{Action: audit.ActionJournalPruned})
			if len(rs) != 2 {
				t.Errorf("%d journal_pruned entries, want 2", len(rs))
			}
		})
	}
}
