package http_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/postvakt/postvakt/server"
	"github.com/postvakt/postvakt/shared/rules"
)

func TestProfilePage(t *testing.T) {
	e := newEnv(t)
	b := e.browser("adm")
	csrf := b.csrf("/admin/profile")
	if body := b.get("/admin/profile", 200); !strings.Contains(body, `value="Eksempel kommune"`) || !strings.Contains(body, "eksempel.kommune.no") {
		t.Fatalf("profile page does not show the published org:\n%.2000s", body)
	}
	form := url.Values{"csrf": {csrf}, "org_name": {"Fjordvik kommune"}, "own_domains": {"fjordvik.kommune.no"},
		"phones": {"55 12 34 56"}, "units": {"Servicetorget"}, "org_number": {"974760673"}}

	// Without the token: refused.
	noToken := url.Values{}
	for k, v := range form {
		noToken[k] = v
	}
	noToken.Del("csrf")
	b.post("/admin/profile", noToken, http.StatusForbidden)

	// Bad input: the form again, as typed, with the reason in bokmål.
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("own_domains", "fjordvik kommune")
	body := b.post("/admin/profile", bad, http.StatusUnprocessableEntity)
	if !strings.Contains(body, "er ikke et domenenavn") || !strings.Contains(body, `value="Fjordvik kommune"`) || !strings.Contains(body, "Servicetorget") {
		t.Fatalf("refused profile:\n%.3000s", body)
	}

	// Preview: a diff, nothing published.
	form.Set("action", "preview")
	body = b.post("/admin/profile", form, 200)
	if !strings.Contains(body, "fjordvik.kommune.no") {
		t.Fatalf("preview has no diff:\n%.3000s", body)
	}
	if !strings.Contains(body, `class="diff"`) {
		t.Fatalf("preview has no diff:\n%.3000s", body)
	}
	ctx := context.Background()
	if p, _ := e.DB.Published(ctx); p.Version != "t-1" {
		t.Fatalf("preview published %s", p.Version)
	}

	// Publish: a new version with the profile, recorded.
	form.Set("action", "publish")
	body = b.post("/admin/profile", form, 200)
	if !strings.Contains(body, "Profilen er publisert som versjon") {
		t.Fatalf("after publishing:\n%.2000s", body)
	}
	p, err := e.DB.Published(ctx)
	if err != nil || p.Version == "t-1" {
		t.Fatalf("published %v, %v", p, err)
	}
	bnd, err := rules.Parse(p.JSON)
	if err != nil {
		t.Fatal(err)
	}
	if bnd.Org.Name != "Fjordvik kommune" || bnd.Org.OwnDomains[0] != "fjordvik.kommune.no" || len(bnd.Rules) != 1 {
		t.Fatalf("published org %+v with %d rules", bnd.Org, len(bnd.Rules))
	}
	rs, _ := e.DB.List(ctx, server.AuditFilter{User: "adm"})
	if len(rs) < 2 || rs[0].Action != "bundle_published" || rs[1].Action != "bundle_created" || rs[0].Reason != "organisasjonsprofil" {
		t.Fatalf("audit: %+v", rs)
	}
	// Staff and compliance may not.
	e.browser("comp").get("/admin/profile", http.StatusForbidden)
}
