package http_test

import (
	"net/url"
	"strings"
	"testing"
)

func TestJournalPages(t *testing.T) {
	e := journalEnv(t, "sqlite")
	staff := e.login("staff").AccessToken
	var ids []string
	for i, u := range []string{"https://facebook.com/eksempel/posts/1", "https://facebook.com/eksempel/posts/2"} {
		h := hearing(u, cmt("Ola Nordmann", "Flere trær."))
		if i == 1 {
			h["title"] = "Svar fra Kari Hansen om <b>Storgata</b>"
		}
		r := e.do("POST", "/api/v1/journal", staff, h)
		if r.Status != 201 {
			t.Fatalf("create: %d %s", r.Status, r.Body)
		}
		ids = append(ids, decode[created](t, r).ID)
	}
	// Staff and admins have no archive page.
	e.browserStatus("staff", 403).get("/journal", 403)
	e.browserStatus("adm", 200).get("/journal", 403)

	b := e.browser("arkivar")
	body := b.get("/journal", 200)
	for _, want := range []string{"Journalføring", ids[0], ids[1], "Svar fra Kari Hansen om Storgata", "venter"} {
		if !strings.Contains(body, want) {
			t.Errorf("/journal lacks %q:\n%s", want, body)
		}
	}
	// Export both at once: a zip, and both are exported.
	csrf := b.csrf("/journal")
	zip := b.post("/journal/export", url.Values{"csrf": {csrf}, "id": ids}, 200)
	files := unzip(t, []byte(zip))
	validateArkivmelding(t, files["arkivmelding.xml"])
	if len(files) != 3 {
		t.Errorf("the zip has %d files, want arkivmelding.xml and two documents", len(files))
	}
	if body := b.get("/journal", 200); !strings.Contains(body, "Ingen innlegg passer") {
		t.Errorf("after the export nothing should be waiting:\n%s", body)
	}
	if body := b.get("/journal?status=exported", 200); !strings.Contains(body, ids[0]) || !strings.Contains(body, ids[1]) {
		t.Errorf("after the export both should be exported:\n%s", body)
	}
	// One item: masked public title, mark filed, legal hold.
	body = b.get("/journal/items/"+ids[1], 200)
	if !strings.Contains(body, "Svar fra K*** H***** om Storgata") || !strings.Contains(body, "Flere trær.") {
		t.Errorf("item page:\n%s", body)
	}
	b.post("/journal/items/"+ids[1]+"/filed", url.Values{"csrf": {csrf}, "ref": {""}}, 422)
	body = b.post("/journal/items/"+ids[1]+"/filed", url.Values{"csrf": {csrf}, "ref": {"2026/123-7"}}, 200)
	if !strings.Contains(body, "Merket som journalført") || !strings.Contains(body, "2026/123-7") {
		t.Errorf("after filing:\n%s", body)
	}
	body = b.post("/journal/items/"+ids[1]+"/hold", url.Values{"csrf": {csrf}, "hold": {"1"}}, 200)
	if !strings.Contains(body, "Sletteforbud er satt") {
		t.Errorf("after hold:\n%s", body)
	}
	b.post("/journal/items/"+ids[1]+"/hold", url.Values{"hold": {"1"}}, 403) // no CSRF token
	// The audit log names each act.
	comp := e.login("comp").AccessToken
	r := e.do("GET", "/api/v1/audit", comp, nil)
	for _, want := range []string{"journal_exported", "journal_filed", "journal_hold"} {
		if !strings.Contains(string(r.Body), want) {
			t.Errorf("the audit log lacks %s", want)
		}
	}
}

// TestJournalPageExportNeedsPost: an export changes state, so a link
// (a GET another site could trigger) does not export.
func TestJournalPageExportNeedsPost(t *testing.T) {
	e := journalEnv(t, "sqlite")
	r := e.do("POST", "/api/v1/journal", e.login("staff").AccessToken, hearing("https://facebook.com/eksempel/posts/1"))
	id := decode[created](t, r).ID
	b := e.browser("arkivar")
	b.get("/journal/items/"+id+"/arkivmelding", 404)
	b.get("/journal/export?id="+id, 404)
	body := b.get("/journal/items/"+id, 200)
	if !strings.Contains(body, `action="/journal/export"`) {
		t.Errorf("the item page has no export form:\n%s", body)
	}
	zip := b.post("/journal/export", url.Values{"csrf": {b.csrf("/journal")}, "id": {id}}, 200)
	validateArkivmelding(t, unzip(t, []byte(zip))["arkivmelding.xml"])
}
