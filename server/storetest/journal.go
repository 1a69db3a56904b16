package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/postvakt/postvakt/server"
	"github.com/postvakt/postvakt/shared/audit"
)

// JournalStore is a store with journal items and the audit log their
// actions are recorded in.
type JournalStore interface {
	server.JournalStore
	server.AuditLog
}

// RunJournal runs the journal part of the contract; open returns a fresh
// store signing with Key.
func RunJournal(t *testing.T, open func(t *testing.T) JournalStore) {
	t.Run("Journal", func(t *testing.T) { testJournal(t, open(t)) })
	t.Run("JournalPrune", func(t *testing.T) { testJournalPrune(t, open(t)) })
}

// JournalItem returns a waiting item of unit with comments.
func JournalItem(id, unit, url string, comments ...server.JournalComment) *server.JournalItem {
	return &server.JournalItem{ID: id, Platform: "facebook", URL: url, PublishedAt: T0, Title: "Høring: Storgata",
		Text: "Si din mening innen 15. desember.", Case: "2026/12", Deadline: "2026-12-15", CreatedBy: "kari", Unit: unit,
		CreatedAt: T0, Status: server.JournalWaiting, Comments: comments}
}

func comment(author, text string) server.JournalComment {
	return server.JournalComment{Author: author, At: "2026-11-22T11:00:00Z", Text: text, CapturedAt: T0.Add(time.Hour)}
}

func testJournal(t *testing.T, s JournalStore) {
	ctx := context.Background()
	a := JournalItem("00000000-0000-4000-8000-0000000000a1", "plan", "https://facebook.com/p/1",
		comment("Ola Nordmann", "Flere trær!"), comment("Per", "Enig."), comment("Per", "Enig."))
	wantCode(t, "CreateJournal", s.CreateJournal(ctx, a), "")
	if a.CommentCount != 2 {
		t.Errorf("CreateJournal: got %d comments, want 2 (one duplicate)", a.CommentCount)
	}
	dup := JournalItem("00000000-0000-4000-8000-0000000000a2", "plan", "https://facebook.com/p/1")
	wantCode(t, "CreateJournal same post and unit", s.CreateJournal(ctx, dup), server.ECONFLICT)
	b := JournalItem("00000000-0000-4000-8000-0000000000b1", "helse", "https://facebook.com/p/1")
	b.CreatedAt, b.Case = T0.Add(48*time.Hour), ""
	wantCode(t, "CreateJournal same post, other unit", s.CreateJournal(ctx, b), "")

	// A later capture adds only what is new.
	n, err := s.AddJournalComments(ctx, a.ID, []server.JournalComment{comment("Per", "Enig."), comment("Kari", "Når er møtet?")}, T0.Add(2*time.Hour))
	wantCode(t, "AddJournalComments", err, "")
	if n != 1 {
		t.Errorf("AddJournalComments: got %d new, want 1", n)
	}
	_, err = s.AddJournalComments(ctx, "00000000-0000-4000-8000-000000000000", nil, T0)
	wantCode(t, "AddJournalComments unknown", err, server.ENOTFOUND)

	got, err := s.GetJournal(ctx, a.ID)
	wantCode(t, "GetJournal", err, "")
	if got.URL != a.URL || got.Title != a.Title || got.Text != a.Text || got.Case != "2026/12" || got.Deadline != "2026-12-15" ||
		got.Unit != "plan" || got.CreatedBy != "kari" || !got.PublishedAt.Equal(T0) || got.Status != server.JournalWaiting || got.CommentCount != 3 {
		t.Errorf("GetJournal = %+v", got)
	}
	if len(got.Comments) != 3 || got.Comments[0].Author != "Ola Nordmann" || got.Comments[2].Text != "Når er møtet?" ||
		!got.Comments[0].CapturedAt.Equal(T0.Add(time.Hour)) || got.Comments[0].At != "2026-11-22T11:00:00Z" {
		t.Errorf("GetJournal comments = %+v", got.Comments)
	}
	_, err = s.GetJournal(ctx, "' OR 1=1 --")
	wantCode(t, "GetJournal unknown", err, server.ENOTFOUND)

	list := func(f server.JournalFilter) []string {
		t.Helper()
		its, err := s.ListJournal(ctx, f)
		wantCode(t, "ListJournal", err, "")
		var ids []string
		for _, it := range its {
			if it.Comments != nil {
				t.Errorf("ListJournal returned comments")
			}
			ids = append(ids, it.ID[len(it.ID)-2:])
		}
		return ids
	}
	for _, tt := range []struct {
		name string
		f    server.JournalFilter
		want string
	}{
		{"all, newest first", server.JournalFilter{}, "[b1 a1]"},
		{"unit", server.JournalFilter{Unit: "plan"}, "[a1]"},
		{"case", server.JournalFilter{Case: "2026/12"}, "[a1]"},
		{"from", server.JournalFilter{From: T0.Add(time.Hour)}, "[b1]"},
		{"to", server.JournalFilter{To: T0.Add(time.Hour)}, "[a1]"},
		{"url", server.JournalFilter{URL: "https://facebook.com/p/1", Unit: "helse"}, "[b1]"},
		{"status", server.JournalFilter{Status: server.JournalFiled}, "[]"},
		{"limit", server.JournalFilter{Limit: 1}, "[b1]"},
	} {
		if got := fmtList(list(tt.f)); got != tt.want {
			t.Errorf("ListJournal %s: got %s, want %s", tt.name, got, tt.want)
		}
	}

	// Export, file, hold: each with its audit entry, in one transaction.
	rec := func(action string) []audit.Entry {
		return []audit.Entry{server.JournalEntry(server.Actor{Name: "arkivar"}, T0, action, "item "+a.ID)}
	}
	wantCode(t, "MarkJournalExported", s.MarkJournalExported(ctx, []string{a.ID, b.ID}, T0.Add(3*time.Hour), rec(audit.ActionJournalExported)), "")
	wantCode(t, "MarkJournalExported unknown", s.MarkJournalExported(ctx, []string{"x"}, T0, rec(audit.ActionJournalExported)), server.ENOTFOUND)
	if got := fmtList(list(server.JournalFilter{Status: server.JournalExported})); got != "[b1 a1]" {
		t.Errorf("after export: got %s, want [b1 a1]", got)
	}
	// New comments on an exported item make it wait again.
	if n, err := s.AddJournalComments(ctx, b.ID, []server.JournalComment{comment("Siv", "Ny")}, T0.Add(4*time.Hour)); err != nil || n != 1 {
		t.Errorf("AddJournalComments after export: %d, %v", n, err)
	}
	if got := fmtList(list(server.JournalFilter{Status: server.JournalWaiting})); got != "[b1]" {
		t.Errorf("after a new comment: got %s waiting, want [b1]", got)
	}
	wantCode(t, "FileJournal", s.FileJournal(ctx, a.ID, "2026/12-3", "arkivar", T0.Add(5*time.Hour), rec(audit.ActionJournalFiled)), "")
	wantCode(t, "FileJournal unknown", s.FileJournal(ctx, "x", "r", "arkivar", T0, rec(audit.ActionJournalFiled)), server.ENOTFOUND)
	got, _ = s.GetJournal(ctx, a.ID)
	if got.Status != server.JournalFiled || got.ArchiveRef != "2026/12-3" || got.FiledBy != "arkivar" || !got.FiledAt.Equal(T0.Add(5*time.Hour)) || !got.ExportedAt.Equal(T0.Add(3*time.Hour)) {
		t.Errorf("after FileJournal: %+v", got)
	}
	_, err = s.AddJournalComments(ctx, a.ID, []server.JournalComment{comment("Siv", "Sent")}, T0.Add(6*time.Hour))
	wantCode(t, "AddJournalComments to a filed item", err, server.ECONFLICT)
	wantCode(t, "SetJournalHold", s.SetJournalHold(ctx, a.ID, true, T0.Add(6*time.Hour), rec(audit.ActionJournalHold)), "")
	if got, _ := s.GetJournal(ctx, a.ID); !got.Hold {
		t.Errorf("SetJournalHold did not hold")
	}
	rs, err := s.List(ctx, server.AuditFilter{})
	wantCode(t, "List audit", err, "")
	var actions []string
	for _, r := range rs {
		actions = append(actions, r.Action)
	}
	if got := fmtList(actions); got != "[journal_hold journal_filed journal_exported]" {
		t.Errorf("audit actions: got %s", got)
	}
}

func testJournalPrune(t *testing.T, s JournalStore) {
	ctx := context.Background()
	for i, id := range []string{"00000000-0000-4000-8000-0000000000c1", "00000000-0000-4000-8000-0000000000c2", "00000000-0000-4000-8000-0000000000c3"} {
		it := JournalItem(id, "plan", "https://facebook.com/p/"+id, comment("Ola", "Hei"))
		wantCode(t, "CreateJournal", s.CreateJournal(ctx, it), "")
		if i < 2 {
			wantCode(t, "FileJournal", s.FileJournal(ctx, id, "ref", "arkivar", T0.Add(time.Duration(i)*time.Hour), nil), "")
		}
	}
	wantCode(t, "SetJournalHold", s.SetJournalHold(ctx, "00000000-0000-4000-8000-0000000000c2", true, T0, nil), "")
	n, err := s.PruneJournal(ctx, T0.Add(10*time.Hour))
	wantCode(t, "PruneJournal", err, "")
	if n != 1 {
		t.Errorf("PruneJournal: got %d, want 1 (one on hold, one not filed)", n)
	}
	_, err = s.GetJournal(ctx, "00000000-0000-4000-8000-0000000000c1")
	wantCode(t, "GetJournal pruned", err, server.ENOTFOUND)
	if its, _ := s.ListJournal(ctx, server.JournalFilter{}); len(its) != 2 {
		t.Errorf("after prune: %d items, want 2", len(its))
	}
}

func fmtList(s []string) string {
	out := "["
	for i, v := range s {
		if i > 0 {
			out += " "
		}
		out += v
	}
	return out + "]"
}
