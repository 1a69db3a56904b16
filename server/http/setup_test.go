package http_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/postvakt/postvakt/server"
	pvhttp "github.com/postvakt/postvakt/server/http"
	"github.com/postvakt/postvakt/server/sqlite"
	"github.com/postvakt/postvakt/shared/audit"
	"github.com/postvakt/postvakt/shared/draft"
	"github.com/postvakt/postvakt/shared/engine"
	"github.com/postvakt/postvakt/shared/rules"
)

// newFreshEnv is a server on an empty database, as `postvakt serve`
// leaves it on first start: the built-in bundle published, no account.
func newFreshEnv(t testing.TB) *env {
	t.Helper()
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, 32))
	db := sqlite.NewDB(filepath.Join(t.TempDir(), "postvakt.db"))
	db.Signer = key
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ctx := context.Background()
	v, _, err := pvhttp.PrepareBundle(rules.BuiltinJSON())
	if err != nil {
		t.Fatal(err)
	}
	v.CreatedBy, v.CreatedAt = "postvakt", t0
	if err := db.CreateBundle(ctx, v); err != nil {
		t.Fatal(err)
	}
	if err := db.Publish(ctx, server.Publication{Version: v.Version, PublishedBy: "postvakt", PublishedAt: t0}); err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, DB: db, Clock: &clock{t: t0}, Keys: pvhttp.NewKeys()}
	srv := pvhttp.NewServer(pvhttp.Config{Users: db, Rules: db, Audit: db, Keys: e.Keys,
		AuditKey: key.Public().(ed25519.PublicKey), Ready: db.Ping, Now: e.Clock.Now, Heartbeat: 50 * time.Millisecond})
	hs := httptest.NewServer(srv)
	t.Cleanup(func() { srv.Close(); hs.Close() })
	e.URL = hs.URL
	return e
}

// noRedirect is a cookie-keeping client that reports redirects instead
// of following them.
func (e *env) noRedirect() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{e: e, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func setupForm(csrf string) url.Values {
	return url.Values{"csrf": {csrf}, "org_name": {"Fjordvik kommune"}, "org_number": {"974760673"},
		"own_domains": {"https://www.fjordvik.kommune.no/\nfjordvik.no"}, "phones": {"+47 55 12 34 56"},
		"accounts": {""}, "postal_address": {"Postboks 1, 5999 Fjordvik"}, "visiting_address": {"Rådhusgata 1, 5999 Fjordvik"},
		"units": {"Servicetorget\nBiblioteket"}, "admin_name": {"kari"}, "admin_password": {"et-langt-passord"},
		"admin_password2": {"et-langt-passord"}, "compliance": {"on"}, "compliance_name": {"arkiv"}, "compliance_password": {"arkivets-passord"}, "compliance_password2": {"arkivets-passord"}}
}

func TestSetupFirstRun(t *testing.T) {
	e := newFreshEnv(t)
	b := e.noRedirect()
	for _, p := range []string{"/", "/admin", "/login"} {
		resp, err := b.c.Get(e.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/setup" {
			t.Fatalf("GET %s: %d to %q, want 303 to /setup", p, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	csrf := b.csrf("/setup")

	// A form without the token, or with another browser's, is refused.
	b.post("/setup", url.Values{"org_name": {"X"}}, http.StatusForbidden)
	other := e.noRedirect()
	other.csrf("/setup")
	other.post("/setup", setupForm(csrf), http.StatusForbidden)

	// Bad input comes back with Norwegian messages and what was typed.
	bad := setupForm(csrf)
	bad.Set("own_domains", "")
	bad.Set("org_number", "974760674")
	bad.Set("admin_password2", "noe annet")
	bad.Set("phones", "+47 55 12 34 56\nring meg")
	body := b.post("/setup", bad, http.StatusUnprocessableEntity)
	for _, want := range []string{"Skriv minst ett eget domene", "gyldig kontrollsiffer", "Passordene er ikke like", "«ring meg» er ikke et norsk telefonnummer",
		`value="Fjordvik kommune"`, `value="974760674"`, "Servicetorget\nBiblioteket", `value="kari"`, `value="arkiv"`, `aria-invalid="true"`, `href="#own_domains"`} {
		if !strings.Contains(body, want) {
			t.Errorf("re-rendered form lacks %q", want)
		}
	}
	if strings.Contains(body, "et-langt-passord") {
		t.Error("the form echoes a password")
	}
	if us, _ := e.DB.ListUsers(context.Background()); len(us) != 0 {
		t.Fatalf("a refused form created %d accounts", len(us))
	}

	// The good form sets Postvakt up and signs the admin in.
	resp, err := b.c.PostForm(e.URL+"/setup", setupForm(csrf))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/admin?msg=setup") {
		t.Fatalf("setup: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if body := b.get("/admin?msg=setup&v=x", 200); !strings.Contains(body, "Innlogget som kari") || !strings.Contains(body, "Postvakt er satt opp") {
		t.Fatalf("admin page after setup:\n%.800s", body)
	}
	ctx := context.Background()
	for name, role := range map[string]string{"kari": "admin", "arkiv": "compliance"} {
		u, err := e.DB.FindUserByName(ctx, name)
		if err != nil || !u.HasRole(role) {
			t.Fatalf("%s: %+v, %v", name, u, err)
		}
	}
	pub, err := e.DB.Published(ctx)
	if err != nil {
		t.Fatal(err)
	}
	bnd, err := rules.Parse(pub.JSON)
	if err != nil {
		t.Fatal(err)
	}
	o := bnd.Org
	if o.Name != "Fjordvik kommune" || strings.Join(o.OwnDomains, " ") != "fjordvik.kommune.no fjordvik.no" || o.OrgNumber != "974760673" ||
		strings.Join(o.Units, "|") != "Servicetorget|Biblioteket" || o.VisitingAddress != "Rådhusgata 1, 5999 Fjordvik" {
		t.Fatalf("published org: %+v", o)
	}
	// A post that links to the organisation's own site now passes.
	eng, err := engine.New(bnd)
	if err != nil {
		t.Fatal(err)
	}
	rep := eng.Check(draft.Draft{ID: "d", Kind: "post", Platform: "facebook", Text: "Biblioteket har nye åpningstider: https://www.fjordvik.kommune.no/bibliotek"}, engine.Options{Lang: "nb"})
	if rep.Verdict != "ok" {
		t.Fatalf("post linking to the own site: %+v", rep)
	}
	// Recorded: two accounts, the version and its publication.
	rs, _ := e.DB.List(ctx, server.AuditFilter{})
	var actions []string
	for _, r := range rs {
		actions = append(actions, r.Action)
	}
	if got := strings.Join(actions, " "); got != strings.Join([]string{audit.ActionBundlePublished, audit.ActionBundleCreated, audit.ActionAccountCreated, audit.ActionAccountCreated}, " ") {
		t.Fatalf("audit: %s", got)
	}

	// Afterwards /setup is gone, and / no longer leads there.
	e.anonymous().get("/setup", http.StatusNotFound)
	e.anonymous().post("/setup", setupForm(csrf), http.StatusNotFound)
	if body := e.anonymous().get("/", 200); !strings.Contains(body, "Logg inn") {
		t.Fatal("/ does not lead to the login page after setup")
	}
}

// TestSetupRace sends the form many times at once: exactly one first
// run succeeds.
func TestSetupRace(t *testing.T) {
	e := newFreshEnv(t)
	const n = 8
	bs := make([]*browser, n)
	tokens := make([]string, n)
	for i := range bs {
		bs[i] = e.noRedirect()
		tokens[i] = bs[i].csrf("/setup")
	}
	codes := make([]int, n)
	var wg sync.WaitGroup
	for i := range bs {
		wg.Go(func() {
			f := setupForm(tokens[i])
			f.Set("admin_name", "admin"+string(rune('a'+i)))
			f.Del("compliance")
			resp, err := bs[i].c.PostForm(e.URL+"/setup", f)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			codes[i] = resp.StatusCode
		})
	}
	wg.Wait()
	ok := 0
	for _, c := range codes {
		switch c {
		case http.StatusSeeOther:
			ok++
		case http.StatusNotFound:
		default:
			t.Errorf("status %d", c)
		}
	}
	us, _ := e.DB.ListUsers(context.Background())
	if ok != 1 || len(us) != 1 {
		t.Fatalf("%d setups succeeded, %d accounts (codes %v); want 1 and 1", ok, len(us), codes)
	}
}

// TestSetupNotWithAccounts: a server whose store has accounts never
// shows the first-run page.
func TestSetupNotWithAccounts(t *testing.T) {
	e := newEnv(t)
	e.anonymous().get("/setup", http.StatusNotFound)
	if body := e.anonymous().get("/admin", 200); !strings.Contains(body, "Logg inn") {
		t.Fatal("/admin does not lead to the login page")
	}
}
