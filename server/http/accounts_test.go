package http_test

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/postvakt/postvakt/server"
)

// Issue #13: the admin accounts page and the reset page.
func TestAccountsPage(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	b := e.browser("adm")
	body := b.get("/admin/accounts", 200)
	for _, want := range []string{"<th scope=\"row\" id=\"u-2\">comp</th>", "aldri", "Deaktiver staff", "Nytt passord for staff", `value="kommunikasjon"`} {
		if !strings.Contains(body, want) {
			t.Errorf("accounts page lacks %q", want)
		}
	}
	if !strings.Contains(body, "Innlogget som adm") || strings.Count(body, "aldri") != 2 {
		t.Errorf("last sign-in: want adm's shown and two «aldri»:\n%.3000s", body)
	}
	csrf := b.csrf("/admin/accounts")
	staff := e.login("staff")

	// Disable: staff's token ends, staff cannot sign in, and it is audited.
	body = b.post("/admin/accounts/staff/disable", url.Values{"csrf": {csrf}}, 200)
	if !strings.Contains(body, "staff er deaktivert") || !strings.Contains(body, "deaktivert</strong>") {
		t.Errorf("after disabling:\n%.2000s", body)
	}
	if r := e.do("GET", "/api/v1/crisis", staff.AccessToken, nil); r.Status != 401 {
		t.Errorf("disabled account's token: %d, want 401 at once in this process", r.Status)
	}
	if r := e.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "staff", "password": password}); r.Status != 401 {
		t.Errorf("disabled account signs in: %d", r.Status)
	}
	b.post("/admin/accounts/staff/enable", url.Values{"csrf": {csrf}}, 200)
	e.login("staff")

	// Roles and unit, sanitised.
	body = b.post("/admin/accounts/comp/roles", url.Values{"csrf": {csrf}, "role": {"compliance", "staff", "root"}, "unit": {"<b>arkiv</b>"}}, 200)
	if u, _ := e.DB.FindUserByName(ctx, "comp"); u.Unit != "arkiv" || strings.Join(u.Roles, ",") != "compliance,staff" {
		t.Errorf("after the role change: %+v", u)
	}
	// Refusals: no roles, own admin role, own account.
	for _, tc := range []struct {
		path string
		form url.Values
		want string
	}{
		{"/admin/accounts/comp/roles", url.Values{"unit": {"x"}}, "minst én rolle"},
		{"/admin/accounts/adm/roles", url.Values{"role": {"staff"}}, "administratorrollen fra din egen konto"},
		{"/admin/accounts/adm/disable", nil, "din egen konto"},
	} {
		f := url.Values{"csrf": {csrf}}
		for k, v := range tc.form {
			f[k] = v
		}
		if body := b.post(tc.path, f, 422); !strings.Contains(body, tc.want) {
			t.Errorf("%s: page lacks %q", tc.path, tc.want)
		}
	}
	b.post("/admin/accounts/nobody/disable", url.Values{"csrf": {csrf}}, 404)
	// Without the CSRF token, nothing changes.
	b.post("/admin/accounts/staff/disable", url.Values{}, 403)
	// Only admins.
	e.browser("comp").get("/admin/accounts", 403)

	// A reset code: shown once, works once, ends the old sessions.
	old := e.login("staff")
	body = b.post("/admin/accounts/staff/reset", url.Values{"csrf": {csrf}}, 200)
	m := regexp.MustCompile(`/reset\?code=([A-Za-z0-9_-]+)`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no reset link:\n%.3000s", body)
	}
	if r := e.do("GET", "/api/v1/crisis", old.AccessToken, nil); r.Status != 401 {
		t.Errorf("token after a reset: %d, want 401", r.Status)
	}
	anon := e.anonymous()
	if body := anon.get("/reset?code="+m[1], 200); !strings.Contains(body, `value="`+m[1]+`"`) {
		t.Errorf("reset page does not carry the code")
	}
	anon.post("/reset", url.Values{"code": {m[1]}, "password": {"kort"}, "password2": {"kort"}}, 422)
	anon.post("/reset", url.Values{"code": {m[1]}, "password": {"et-nytt-passord"}, "password2": {"et-annet-passord"}}, 422)
	if body := anon.post("/reset", url.Values{"code": {m[1]}, "password": {"et-nytt-passord"}, "password2": {"et-nytt-passord"}}, 200); !strings.Contains(body, "Passordet er lagret") {
		t.Errorf("after reset:\n%.1000s", body)
	}
	if body := anon.post("/reset", url.Values{"code": {m[1]}, "password": {"et-tredje-passord"}, "password2": {"et-tredje-passord"}}, 422); !strings.Contains(body, "brukt eller utløpt") {
		t.Errorf("code used twice")
	}
	if r := e.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "staff", "password": "et-nytt-passord"}); r.Status != 200 {
		t.Errorf("sign-in with the new password: %d", r.Status)
	}

	// Every change is in the audit log, by adm (the password by staff).
	recs, err := e.DB.List(ctx, server.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range recs {
		got = append([]string{r.User + " " + r.Action + " " + r.Reason}, got...)
	}
	want := []string{
		"adm account_disabled staff",
		"adm account_enabled staff",
		`adm account_roles_changed comp: roller compliance, enhet "kommunikasjon" → roller compliance, staff, enhet "arkiv"`,
		"adm account_password_reset staff",
		"staff account_password_set staff: med engangskode",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("audit entries:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// anonymous is a cookie-keeping client that is not signed in.
func (e *env) anonymous() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{e: e, c: &http.Client{Jar: jar}}
}

func TestUsersAPI(t *testing.T) {
	e := newEnv(t)
	admin := e.login("adm").AccessToken
	staff := e.login("staff")
	r := e.do("GET", "/api/v1/admin/users", admin, nil)
	if r.Status != 200 || !strings.Contains(string(r.Body), `"name":"staff","unit":"kommunikasjon","roles":["staff"],"disabled":false`) {
		t.Fatalf("list: %d %s", r.Status, r.Body)
	}
	if r := e.do("GET", "/api/v1/admin/users", staff.AccessToken, nil); r.Status != 403 {
		t.Errorf("staff lists users: %d", r.Status)
	}
	r = e.do("POST", "/api/v1/admin/users/staff", admin, map[string]any{"roles": []string{"staff", "compliance"}, "disabled": true})
	if r.Status != 200 || !strings.Contains(string(r.Body), `"roles":["staff","compliance"],"disabled":true`) {
		t.Errorf("update: %d %s", r.Status, r.Body)
	}
	if r := e.do("GET", "/api/v1/crisis", staff.AccessToken, nil); r.Status != 401 {
		t.Errorf("updated account's token: %d, want 401", r.Status)
	}
	for _, tc := range []struct {
		body   any
		status int
	}{
		{map[string]any{"roles": []string{"root"}}, 422},
		{map[string]any{"roles": []string{}}, 422},
		{map[string]any{"admin": true}, 400},
	} {
		if r := e.do("POST", "/api/v1/admin/users/staff", admin, tc.body); r.Status != tc.status {
			t.Errorf("%v: %d %s, want %d", tc.body, r.Status, r.Body, tc.status)
		}
	}
	if r := e.do("POST", "/api/v1/admin/users/nobody", admin, map[string]any{"disabled": true}); r.Status != 404 {
		t.Errorf("unknown user: %d", r.Status)
	}
	r = e.do("POST", "/api/v1/admin/users/comp/reset-password", admin, nil)
	if r.Status != 200 || !strings.Contains(string(r.Body), `/reset?code=`) {
		t.Errorf("reset: %d %s", r.Status, r.Body)
	}
}

// A name with letters outside ASCII reaches the handlers decoded.
func TestAccountsPageNonASCIIName(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	adm, _ := e.DB.FindUserByName(ctx, "adm")
	if err := e.DB.CreateUser(ctx, &server.User{Name: "åse", Roles: []string{"staff"}, PasswordHash: adm.PasswordHash, CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	b := e.browser("adm")
	csrf := b.csrf("/admin/accounts")
	b.post("/admin/accounts/"+url.PathEscape("åse")+"/disable", url.Values{"csrf": {csrf}}, 200)
	if u, _ := e.DB.FindUserByName(ctx, "åse"); !u.Disabled {
		t.Error("åse was not disabled")
	}
	if r := e.do("POST", "/api/v1/admin/users/"+url.PathEscape("åse"), e.login("adm").AccessToken, map[string]any{"disabled": false}); r.Status != 200 {
		t.Errorf("API: %d %s", r.Status, r.Body)
	}
}

// The compliance page names account changes in Norwegian and filters by them.
func TestComplianceShowsAccountChanges(t *testing.T) {
	e := newEnv(t)
	b := e.browser("adm")
	b.post("/admin/accounts/staff/disable", url.Values{"csrf": {b.csrf("/admin/accounts")}}, 200)
	body := e.browser("comp").get("/compliance?action=account_disabled", 200)
	// Once in the action filter, once in the entry's row.
	if n := strings.Count(body, "konto deaktivert"); n < 2 {
		t.Errorf("compliance page:\n%.3000s", body)
	}
}
