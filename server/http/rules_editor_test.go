package http_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/postvakt/postvakt/server"
	"github.com/postvakt/postvakt/shared/rules"
	"golang.org/x/crypto/bcrypt"
)

// newBuiltinEnv is a server with the built-in bundle published and one
// admin, "adm".
func newBuiltinEnv(t *testing.T) *env {
	t.Helper()
	e := newFreshEnv(t)
	hash, _ := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err := e.DB.CreateUser(context.Background(), &server.User{Name: "adm", Roles: []string{"admin"}, PasswordHash: hash, CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	return e
}

// ruleFormOf is the editor's form for rule id as the page fills it in.
func ruleFormOf(t *testing.T, r rules.Rule, csrf string) url.Values {
	t.Helper()
	f := url.Values{"csrf": {csrf}, "severity": {r.Severity}, "message_nb": {r.Message.NB}, "message_nn": {r.Message.NN}, "message_en": {r.Message.EN},
		"suggestion_nb": {r.Suggestion.NB}, "suggestion_nn": {r.Suggestion.NN}, "suggestion_en": {r.Suggestion.EN}}
	if r.Enabled {
		f.Set("enabled", "on")
	}
	return f
}

func builtinRule(t *testing.T, id string) rules.Rule {
	for _, r := range rules.Builtin().Rules {
		if r.ID == id {
			return r
		}
	}
	t.Fatalf("no rule %s", id)
	return rules.Rule{}
}

func TestRuleEditor(t *testing.T) {
	e := newBuiltinEnv(t)
	b := e.browser("adm")
	if body := b.get("/admin/rules", 200); !strings.Contains(body, `href="/admin/rules/pii.phone"`) {
		t.Fatal("the rule list lacks pii.phone")
	}
	csrf := b.csrf("/admin/rules/pii.phone")
	body := b.get("/admin/rules/pii.phone", 200)
	for _, want := range []string{`<option value="warn" selected>`, "Innlegget inneholder et telefonnummer", "ex-phone"} {
		if !strings.Contains(body, want) {
			t.Errorf("editor lacks %q", want)
		}
	}
	ctx := context.Background()
	before, _ := e.DB.Published(ctx)

	// Trying a stricter severity shows what it breaks, in plain words.
	f := ruleFormOf(t, builtinRule(t, "pii.phone"), csrf)
	f.Set("severity", "block")
	f.Set("action", "try")
	f.Set("sample", "Ring meg på 912 34 567")
	body = b.post("/admin/rules/pii.phone", f, http.StatusOK)
	for _, want := range []string{"<code>pii.phone</code> (stopper)", `<span class="fail">feiler</span>: gir «stoppes», men skal gi «advarsel»`, `class="diff"`, `&#34;severity&#34;: &#34;block&#34;`} {
		if !strings.Contains(body, want) {
			i := strings.Index(body, `id="resultat"`)
			t.Errorf("try lacks %q\n%s", want, body[i:min(len(body), i+3000)])
		}
	}
	// Publishing it is refused, with the reason.
	f.Set("action", "publish")
	body = b.post("/admin/rules/pii.phone", f, http.StatusUnprocessableEntity)
	if !strings.Contains(body, "Regelen er ikke publisert, fordi:") || !strings.Contains(body, "eksempler gir ikke lenger det svaret") {
		t.Fatalf("refusal:\n%.3000s", body)
	}
	if p, _ := e.DB.Published(ctx); p.Version != before.Version {
		t.Fatal("a refused rule was published")
	}

	// A bad period is refused before anything runs.
	f.Set("severity", "warn")
	f.Set("from", "13.09.2027")
	body = b.post("/admin/rules/pii.phone", f, http.StatusUnprocessableEntity)
	if !strings.Contains(body, "«13.09.2027» er ikke en dato") {
		t.Fatalf("bad period:\n%.2000s", body)
	}

	// Severity, scope, period and a message change that the examples
	// accept are published as a new version.
	r := builtinRule(t, "pii.email")
	f = ruleFormOf(t, r, csrf)
	f.Set("severity", "block")
	f.Set("message_nb", "Ikke del e-postadresser til privatpersoner.")
	f["platform"] = []string{"facebook", "x"}
	f.Set("units", "Servicetorget")
	f.Set("from", "2027-08-01")
	f.Set("to", "2027-09-14")
	f.Set("action", "publish")
	body = b.post("/admin/rules/pii.email", f, 200)
	if !strings.Contains(body, "Regelen er publisert i versjon") {
		t.Fatalf("publish:\n%.2000s", body)
	}
	p, _ := e.DB.Published(ctx)
	nb, err := rules.Parse(p.JSON)
	if err != nil {
		t.Fatal(err)
	}
	var got rules.Rule
	for _, x := range nb.Rules {
		if x.ID == "pii.email" {
			got = x
		}
	}
	if got.Severity != "block" || got.Message.NB != "Ikke del e-postadresser til privatpersoner." || got.Scope == nil ||
		strings.Join(got.Scope.Platforms, ",") != "facebook,x" || got.Scope.Units[0] != "Servicetorget" || got.Active == nil || got.Active.From != "2027-08-01" {
		t.Fatalf("published rule: %+v scope %+v active %+v", got, got.Scope, got.Active)
	}
	rs, _ := e.DB.List(ctx, server.AuditFilter{User: "adm"})
	if len(rs) != 2 || rs[0].Reason != "regel pii.email" {
		t.Fatalf("audit: %+v", rs)
	}

	// A word list: case.confidential learns a word.
	r = builtinRule(t, "case.confidential")
	f = ruleFormOf(t, r, csrf)
	f.Set("list:phrase.words", strings.Join(append(r.Phrase.Words, "strengt hemmelig"), "\n"))
	f.Set("sample", "Dette er strengt hemmelig.")
	f.Set("action", "try")
	body = b.post("/admin/rules/case.confidential", f, 200)
	if !strings.Contains(body, "&#43;           &#34;strengt hemmelig&#34;") {
		i := strings.Index(body, `id="endringer"`)
		t.Errorf("the diff does not show the new word:\n%s", body[i:min(len(body), i+3000)])
	}
	if !strings.Contains(body, "<code>case.confidential</code> (stopper): «Dette er strengt hemmelig»") {
		i := strings.Index(body, `id="resultat"`)
		t.Fatalf("word list try:\n%s", body[i:min(len(body), i+3000)])
	}
}
