package http_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/postvakt/postvakt/server"
	pvhttp "github.com/postvakt/postvakt/server/http"
	"github.com/postvakt/postvakt/server/postgres/pgtest"
	"github.com/postvakt/postvakt/shared/rules"
	"golang.org/x/crypto/bcrypt"
)

// journalEnv is newEnv (or newPostgresEnv) with two more accounts:
// arkivar (arkiv, unit arkiv) and helse (staff of another unit, helse).
func journalEnv(t *testing.T, backend string) *env {
	t.Helper()
	var users server.UserStore
	edit := func(c *pvhttp.Config) { users = c.Users }
	var e *env
	if backend == "postgres" {
		e = newPostgresEnvWith(t, pgtest.Schema(t), true, nil, edit)
	} else {
		e = newEnvWith(t, edit)
	}
	hash, _ := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	for _, u := range []struct{ name, role, unit string }{{"arkivar", "arkiv", "arkiv"}, {"helse", "staff", "helse"}} {
		if err := users.CreateUser(context.Background(), &server.User{Name: u.name, Unit: u.unit, Roles: []string{u.role}, PasswordHash: hash, CreatedAt: t0}); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

// backends runs fn on SQLite and, when POSTVAKT_TEST_POSTGRES is set, on
// PostgreSQL.
func backends(t *testing.T, fn func(t *testing.T, e *env)) {
	for _, b := range []string{"sqlite", "postgres"} {
		t.Run(b, func(t *testing.T) { fn(t, journalEnv(t, b)) })
	}
}

func hearing(url string, comments ...map[string]string) map[string]any {
	cs := []map[string]string{}
	cs = append(cs, comments...)
	return map[string]any{"platform": "facebook", "url": url, "published_at": "2026-11-22T09:30:00Z",
		"title": "Høring: reguleringsplan for Storgata", "text": "Planen er på høring.\n\nSend innspill innen 15. desember!",
		"case": "2026/123", "deadline": "2026-12-15", "comments": cs}
}

func cmt(author, text string) map[string]string {
	return map[string]string{"author": author, "at": "2026-11-22T09:45:00Z", "text": text}
}

type created struct {
	ID       string `json:"id"`
	Comments int    `json:"comments"`
	Added    int    `json:"added"`
	Existing bool   `json:"existing"`
}

func decode[T any](t *testing.T, r result) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(r.Body, &v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
	return v
}

func TestJournalRoles(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		tok := map[string]string{}
		for _, u := range []string{"staff", "adm", "comp", "arkivar", "helse"} {
			tok[u] = e.login(u).AccessToken
		}
		r := e.do("POST", "/api/v1/journal", tok["staff"], hearing("https://facebook.com/eksempel/posts/1", cmt("Ola Nordmann", "Flere trær.")))
		if r.Status != 201 {
			t.Fatalf("create: %d %s", r.Status, r.Body)
		}
		id := decode[created](t, r).ID
		tests := []struct {
			user, method, path string
			body               any
			want               int
		}{
			// Creating is for staff.
			{"staff", "POST", "/api/v1/journal", hearing("https://facebook.com/eksempel/posts/2"), 201},
			{"adm", "POST", "/api/v1/journal", hearing("https://facebook.com/eksempel/posts/3"), 403},
			{"comp", "POST", "/api/v1/journal", hearing("https://facebook.com/eksempel/posts/3"), 403},
			{"arkivar", "POST", "/api/v1/journal", hearing("https://facebook.com/eksempel/posts/3"), 403},
			{"", "POST", "/api/v1/journal", hearing("https://facebook.com/eksempel/posts/3"), 401},
			// Reading: staff their own unit's, arkiv and compliance all.
			{"staff", "GET", "/api/v1/journal/" + id, nil, 200},
			{"helse", "GET", "/api/v1/journal/" + id, nil, 404},
			{"arkivar", "GET", "/api/v1/journal/" + id, nil, 200},
			{"comp", "GET", "/api/v1/journal/" + id, nil, 200},
			{"adm", "GET", "/api/v1/journal/" + id, nil, 403},
			{"adm", "GET", "/api/v1/journal", nil, 403},
			{"", "GET", "/api/v1/journal", nil, 401},
			// Later captures: the saving unit only.
			{"helse", "POST", "/api/v1/journal/" + id + "/comments", map[string]any{"comments": []any{cmt("X", "y")}}, 404},
			{"arkivar", "POST", "/api/v1/journal/" + id + "/comments", map[string]any{"comments": []any{cmt("X", "y")}}, 403},
			{"staff", "POST", "/api/v1/journal/" + id + "/comments", map[string]any{"comments": []any{cmt("Kari", "Når er møtet?")}}, 200},
			// Export, filing and hold: arkiv and compliance.
			{"staff", "GET", "/api/v1/journal/" + id + "/arkivmelding", nil, 403},
			{"helse", "GET", "/api/v1/journal/" + id + "/arkivmelding", nil, 403},
			{"adm", "GET", "/api/v1/journal/" + id + "/arkivmelding", nil, 403},
			{"comp", "GET", "/api/v1/journal/" + id + "/arkivmelding", nil, 200},
			{"arkivar", "GET", "/api/v1/journal/" + id + "/arkivmelding", nil, 200},
			{"staff", "POST", "/api/v1/journal/export", map[string]any{"ids": []string{id}}, 403},
			{"arkivar", "POST", "/api/v1/journal/export", map[string]any{"ids": []string{id}}, 200},
			{"staff", "POST", "/api/v1/journal/" + id + "/hold", map[string]any{"hold": true}, 403},
			{"arkivar", "POST", "/api/v1/journal/" + id + "/hold", map[string]any{"hold": true}, 200},
			{"staff", "POST", "/api/v1/journal/" + id + "/filed", map[string]any{"ref": "2026/123-4"}, 403},
			{"arkivar", "POST", "/api/v1/journal/" + id + "/filed", map[string]any{"ref": "2026/123-4"}, 200},
		}
		for _, tt := range tests {
			name := fmt.Sprintf("%s %s %s", tt.user, tt.method, tt.path)
			r := e.do(tt.method, tt.path, tok[tt.user], tt.body)
			if r.Status != tt.want {
				t.Errorf("%s: got %d %s, want %d", name, r.Status, r.Body, tt.want)
			}
		}
		// Lists: staff see their own unit's items only.
		for _, tt := range []struct {
			user string
			want int
		}{{"staff", 2}, {"helse", 0}, {"arkivar", 2}, {"comp", 2}} {
			r := e.do("GET", "/api/v1/journal?unit=kommunikasjon", tok[tt.user], nil)
			items := decode[struct{ Items []server.JournalItem }](t, r).Items
			if r.Status != 200 || len(items) != tt.want {
				t.Errorf("%s GET /journal: got %d with %d items, want %d items", tt.user, r.Status, len(items), tt.want)
			}
		}
	})
}

func TestJournalBadInput(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		tok := e.login("staff").AccessToken
		r := e.do("POST", "/api/v1/journal", tok, hearing("https://facebook.com/eksempel/posts/1", cmt("Ola", "Hei"), cmt("Per", "Hallo")))
		if r.Status != 201 {
			t.Fatalf("create: %d %s", r.Status, r.Body)
		}
		id := decode[created](t, r).ID
		with := func(k string, v any) map[string]any {
			h := hearing("https://facebook.com/eksempel/posts/9", cmt("Ola", "Hei"))
			if v == nil {
				delete(h, k)
			} else {
				h[k] = v
			}
			return h
		}
		many := make([]any, 501)
		for i := range many {
			many[i] = cmt("Ola", fmt.Sprint("kommentar ", i))
		}
		huge := cmt("Ola", strings.Repeat("ø", 16_001))
		tests := []struct {
			name   string
			path   string
			body   any
			status int
			code   string
			field  string // the message names it
		}{
			// missing fields
			{"no platform", "/api/v1/journal", with("platform", nil), 422, "EINVALID", "platform"},
			{"no url", "/api/v1/journal", with("url", nil), 422, "EINVALID", "url"},
			{"no published_at", "/api/v1/journal", with("published_at", nil), 422, "EINVALID", "published_at"},
			{"no text", "/api/v1/journal", with("text", nil), 422, "EINVALID", "text"},
			{"blank text", "/api/v1/journal", with("text", " <b></b> "), 422, "EINVALID", "text"},
			{"comment without author", "/api/v1/journal", with("comments", []any{map[string]string{"text": "x"}}), 422, "EINVALID", "comments[0].author"},
			{"empty body", "/api/v1/journal", "", 400, "EMALFORMED", "empty"},
			// wrong values
			{"unknown platform", "/api/v1/journal", with("platform", "myspace"), 422, "EINVALID", "platform"},
			{"javascript url", "/api/v1/journal", with("url", "javascript:alert(1)"), 422, "EINVALID", "url"},
			{"bad time", "/api/v1/journal", with("published_at", "i går"), 422, "EINVALID", "published_at"},
			{"future time", "/api/v1/journal", with("published_at", "2027-01-01T00:00:00Z"), 422, "EINVALID", "published_at"},
			{"bad case", "/api/v1/journal", with("case", "sak 12"), 422, "EINVALID", "case"},
			{"bad deadline", "/api/v1/journal", with("deadline", "15.12.2026"), 422, "EINVALID", "deadline"},
			{"bad comment time", "/api/v1/journal", with("comments", []any{map[string]string{"author": "a", "text": "b", "at": "nå"}}), 422, "EINVALID", "comments[0].at"},
			// wrong types
			{"text a number", "/api/v1/journal", with("text", 42), 400, "EMALFORMED", "text"},
			{"comments an object", "/api/v1/journal", with("comments", map[string]string{"a": "b"}), 400, "EMALFORMED", "comments"},
			{"comment text a list", "/api/v1/journal", with("comments", []any{map[string]any{"author": "a", "text": []int{1}}}), 400, "EMALFORMED", "text"},
			{"unknown field", "/api/v1/journal", with("draft", "x"), 400, "EMALFORMED", "draft"},
			{"not JSON", "/api/v1/journal", "{platform: facebook", 400, "EMALFORMED", "JSON"},
			// huge
			{"huge comment", "/api/v1/journal", with("comments", []any{huge}), 422, "EINVALID", "comments[0].text"},
			{"too many comments", "/api/v1/journal", with("comments", many), 422, "EINVALID", "comments"},
			{"huge text", "/api/v1/journal", with("text", strings.Repeat("a", 300_000)), 422, "EINVALID", "text"},
			{"over the body limit", "/api/v1/journal", with("text", strings.Repeat("a", 7<<20)), 413, "ETOOLARGE", "limit"},
			// later captures
			{"capture: huge comment", "/api/v1/journal/" + id + "/comments", map[string]any{"comments": []any{cmt("Kari", "ny"), huge}}, 422, "EINVALID", "comments[1].text"},
			{"capture: no comments", "/api/v1/journal/" + id + "/comments", map[string]any{}, 422, "EINVALID", "comments"},
			{"capture: wrong type", "/api/v1/journal/" + id + "/comments", map[string]any{"comments": "Kari: ny"}, 400, "EMALFORMED", "comments"},
			{"capture: unknown item", "/api/v1/journal/00000000-0000-4000-8000-000000000000/comments", map[string]any{"comments": []any{cmt("a", "b")}}, 404, "ENOTFOUND", "journal item"},
			{"capture: not an id", "/api/v1/journal/'%20OR%201=1/comments", map[string]any{"comments": []any{cmt("a", "b")}}, 404, "ENOTFOUND", "journal item"},
		}
		for _, tt := range tests {
			r := e.do("POST", tt.path, tok, tt.body)
			var er pvhttp.ErrorResponse
			json.Unmarshal(r.Body, &er)
			if r.Status != tt.status || er.Error.Code != tt.code || !strings.Contains(er.Error.Message, tt.field) {
				t.Errorf("%s: got %d %s %q, want %d %s naming %q", tt.name, r.Status, er.Error.Code, er.Error.Message, tt.status, tt.code, tt.field)
			}
		}
		// Nothing was lost or half-stored: the item still has its two
		// comments, and no other item exists.
		r = e.do("GET", "/api/v1/journal/"+id, tok, nil)
		if it := decode[server.JournalItem](t, r); len(it.Comments) != 2 {
			t.Errorf("after the bad requests the item has %d comments, want 2", len(it.Comments))
		}
		if items := decode[struct{ Items []server.JournalItem }](t, e.do("GET", "/api/v1/journal", tok, nil)).Items; len(items) != 1 {
			t.Errorf("after the bad requests there are %d items, want 1", len(items))
		}
	})
}

func TestJournalFlow(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		staff, ark := e.login("staff").AccessToken, e.login("arkivar").AccessToken
		// The clock moves by days: sign in again after each move.
		relogin := func() { staff, ark = e.login("staff").AccessToken, e.login("arkivar").AccessToken }
		post := "https://www.facebook.com/eksempel/posts/77"
		r := e.do("POST", "/api/v1/journal", staff, hearing(post, cmt("Ola Nordmann", "Flere trær, takk."), cmt("Per Olsen", "<b>Enig</b> med Ola.")))
		if r.Status != 201 {
			t.Fatalf("create: %d %s", r.Status, r.Body)
		}
		id := decode[created](t, r).ID
		// A later capture adds the third comment once.
		e.Clock.Add(24 * time.Hour)
		relogin()
		for i, want := range []int{1, 0} {
			r = e.do("POST", "/api/v1/journal/"+id+"/comments", staff, map[string]any{"comments": []any{cmt("Per Olsen", "<b>Enig</b> med Ola."), cmt("Kari Hansen", "Når er folkemøtet?")}})
			if got := decode[created](t, r); r.Status != 200 || got.Added != want || got.Comments != 3 {
				t.Errorf("capture %d: got %d %s, want %d added of 3", i, r.Status, r.Body, want)
			}
		}
		// Saving the same post again is a capture of the same item.
		r = e.do("POST", "/api/v1/journal", staff, hearing(post+"#comments", cmt("Siv", "Ny kommentar")))
		if got := decode[created](t, r); r.Status != 200 || got.ID != id || !got.Existing || got.Added != 1 {
			t.Errorf("save again: got %d %s, want 200 with id %s and 1 added", r.Status, r.Body, id)
		}
		it := decode[server.JournalItem](t, e.do("GET", "/api/v1/journal/"+id, ark, nil))
		if len(it.Comments) != 4 || it.Comments[1].Text != "Enig med Ola." || it.Title != "Høring: reguleringsplan for Storgata" || it.Unit != "kommunikasjon" {
			t.Errorf("item: %+v", it)
		}
		// The export is a zip whose arkivmelding validates.
		r = e.do("GET", "/api/v1/journal/"+id+"/arkivmelding", ark, nil)
		if r.Status != 200 || r.Header.Get("Content-Type") != "application/zip" {
			t.Fatalf("export: %d %s %s", r.Status, r.Header.Get("Content-Type"), r.Body)
		}
		files := unzip(t, r.Body)
		validateArkivmelding(t, files["arkivmelding.xml"])
		doc := string(files["innlegg-"+id+".html"])
		for _, want := range []string{"Flere trær, takk.", "Når er folkemøtet?", "Ola Nordmann", "Kari Hansen"} {
			if !strings.Contains(doc, want) {
				t.Errorf("the document lacks %q:\n%s", want, doc)
			}
		}
		if !strings.Contains(string(files["arkivmelding.xml"]), "<mappeID>2026/123</mappeID>") {
			t.Errorf("the arkivmelding does not name the case:\n%s", files["arkivmelding.xml"])
		}
		if it := decode[server.JournalItem](t, e.do("GET", "/api/v1/journal/"+id, ark, nil)); it.Status != "exported" {
			t.Errorf("after export: status %s, want exported", it.Status)
		}
		// Every export is an audit entry.
		comp := e.login("comp").AccessToken
		r = e.do("GET", "/api/v1/audit?action=journal_exported", comp, nil)
		if !strings.Contains(string(r.Body), id) || !strings.Contains(string(r.Body), `"user":"arkivar"`) {
			t.Errorf("no audit entry for the export: %s", r.Body)
		}
		// After the input deadline, captures are refused and change nothing.
		e.Clock.Add(30 * 24 * time.Hour)
		relogin()
		r = e.do("POST", "/api/v1/journal/"+id+"/comments", staff, map[string]any{"comments": []any{cmt("Sen", "For sent")}})
		if r.Status != 409 || !strings.Contains(string(r.Body), "2026-12-15") {
			t.Errorf("capture after the deadline: got %d %s, want 409 naming the deadline", r.Status, r.Body)
		}
		r = e.do("POST", "/api/v1/journal/"+id+"/filed", ark, map[string]any{"ref": "2026/123-4"})
		if it := decode[server.JournalItem](t, r); r.Status != 200 || it.Status != "filed" || it.ArchiveRef != "2026/123-4" {
			t.Errorf("filed: %d %s", r.Status, r.Body)
		}
		for _, tt := range []struct{ q, want string }{{"status=filed", id}, {"status=waiting", ""}, {"case=2026/123", id}, {"case=2025/1", ""}, {"from=2026-11-22&to=2026-11-22", id}, {"from=2026-11-23", ""}} {
			items := decode[struct{ Items []server.JournalItem }](t, e.do("GET", "/api/v1/journal?"+tt.q, ark, nil)).Items
			got := ""
			if len(items) > 0 {
				got = items[0].ID
			}
			if got != tt.want || len(items) > 1 {
				t.Errorf("GET /journal?%s: got %d items (%q), want %q", tt.q, len(items), got, tt.want)
			}
		}
		if r := e.do("GET", "/api/v1/journal?status=done", ark, nil); r.Status != 422 {
			t.Errorf("unknown status: got %d, want 422", r.Status)
		}
	})
}

func unzip(t *testing.T, b []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("not a zip: %v", err)
	}
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, _ := f.Open()
		files[f.Name], _ = io.ReadAll(rc)
		rc.Close()
	}
	return files
}

// validateArkivmelding checks xml against the Noark 5 arkivmelding
// schema with xmllint (skipped, saying so, when it is not installed).
func validateArkivmelding(t *testing.T, xml []byte) {
	t.Helper()
	if xml == nil {
		t.Fatal("the zip has no arkivmelding.xml")
	}
	lint, err := exec.LookPath("xmllint")
	if err != nil {
		t.Skip("xmllint is not installed (apt-get install libxml2-utils); cannot validate the arkivmelding against the Noark 5 schema")
	}
	f := filepath.Join(t.TempDir(), "arkivmelding.xml")
	os.WriteFile(f, xml, 0o644)
	if out, err := exec.Command(lint, "--noout", "--nonet", "--schema", "../noark/testdata/arkivmelding.xsd", f).CombinedOutput(); err != nil {
		t.Fatalf("xmllint: %v\n%s\n%s", err, out, xml)
	}
}

// TestJournalMaskSetting: with org.journal_comments "mask", the export
// adds a public copy with commenters' names masked; the archive's copy
// keeps them.
func TestJournalMaskSetting(t *testing.T) {
	e := journalEnv(t, "sqlite")
	var b rules.Bundle
	if err := json.Unmarshal(testBundle(t, "t-mask"), &b); err != nil {
		t.Fatal(err)
	}
	b.Org.JournalComments = "mask"
	data, _ := json.Marshal(b)
	v, _, err := pvhttp.PrepareBundle(data)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	v.CreatedBy, v.CreatedAt = "test", t0
	if err := e.DB.CreateBundle(ctx, v); err != nil {
		t.Fatal(err)
	}
	if err := e.DB.Publish(ctx, server.Publication{Version: "t-mask", PublishedBy: "test", PublishedAt: t0}); err != nil {
		t.Fatal(err)
	}
	r := e.do("POST", "/api/v1/journal", e.login("staff").AccessToken, hearing("https://facebook.com/eksempel/posts/5", cmt("Ola Nordmann", "Ola Nordmann mener dette er bra.")))
	if r.Status != 201 {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	id := decode[created](t, r).ID
	r = e.do("GET", "/api/v1/journal/"+id+"/arkivmelding", e.login("arkivar").AccessToken, nil)
	files := unzip(t, r.Body)
	validateArkivmelding(t, files["arkivmelding.xml"])
	full, public := string(files["innlegg-"+id+".html"]), string(files["innlegg-"+id+"-skjermet.html"])
	if !strings.Contains(full, "Ola Nordmann") || public == "" || strings.Contains(public, "Nordmann") || !strings.Contains(public, "O** N******* mener") {
		t.Errorf("full copy:\n%s\npublic copy:\n%s", full, public)
	}
	if !strings.Contains(string(files["arkivmelding.xml"]), "Dokument hvor deler av innholdet er skjermet") {
		t.Errorf("the arkivmelding does not reference the public copy:\n%s", files["arkivmelding.xml"])
	}
}
