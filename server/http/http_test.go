package http_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/postvakt/postvakt/server"
	pvhttp "github.com/postvakt/postvakt/server/http"
	"github.com/postvakt/postvakt/server/sqlite"
	"github.com/postvakt/postvakt/shared/draft"
	"github.com/postvakt/postvakt/shared/rules"
	"golang.org/x/crypto/bcrypt"
)

var t0 = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

// clock is a settable clock for the server.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// env is a server on a real listener (port 0) with a temporary database,
// a published bundle "t-1" and three users: adm (admin), comp
// (compliance) and staff (staff), each with password "passord-123".
type env struct {
	t     testing.TB
	URL   string
	DB    *sqlite.DB
	Clock *clock
	Keys  *pvhttp.Keys
}

const password = "passord-123"

// testBundle is one phrase rule of the built-in bundle with one example.
func testBundle(t testing.TB, version string) []byte {
	t.Helper()
	b := rules.Builtin()
	b.Version = version
	for _, r := range b.Rules {
		if r.ID == "case.confidential" {
			b.Rules = []rules.Rule{r}
		}
	}
	b.Examples = []rules.Example{{Draft: draft.Draft{ID: "e1", Text: "Dette er taushetsbelagt."},
		Expect: rules.Expect{Verdict: "block", Findings: []rules.ExpectFinding{{Rule: "case.confidential", Text: "taushetsbelagt"}}}}}
	data, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func newEnv(t testing.TB) *env { t.Helper(); return newEnvWith(t, nil) }

// newEnvWith is newEnv with a chance to change the server's configuration.
func newEnvWith(t testing.TB, edit func(*pvhttp.Config)) *env {
	t.Helper()
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, 32))
	db := sqlite.NewDB(filepath.Join(t.TempDir(), "postvakt.db"))
	db.Signer = key
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ctx := context.Background()
	v, _, err := pvhttp.PrepareBundle(testBundle(t, "t-1"))
	if err != nil {
		t.Fatal(err)
	}
	v.CreatedBy, v.CreatedAt = "test", t0
	if err := db.CreateBundle(ctx, v); err != nil {
		t.Fatal(err)
	}
	if err := db.Publish(ctx, server.Publication{Version: "t-1", PublishedBy: "test", PublishedAt: t0}); err != nil {
		t.Fatal(err)
	}
	hash, _ := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	for _, u := range []struct{ name, role string }{{"adm", "admin"}, {"comp", "compliance"}, {"staff", "staff"}} {
		if err := db.CreateUser(ctx, &server.User{Name: u.name, Unit: "kommunikasjon", Roles: []string{u.role}, PasswordHash: hash, CreatedAt: t0}); err != nil {
			t.Fatal(err)
		}
	}
	e := &env{t: t, DB: db, Clock: &clock{t: t0}, Keys: pvhttp.NewKeys()}
	cfg := pvhttp.Config{Users: db, Rules: db, Audit: db, Keys: e.Keys,
		AuditKey: key.Public().(ed25519.PublicKey), Ready: db.Ping, Now: e.Clock.Now, Heartbeat: 50 * time.Millisecond}
	if edit != nil {
		edit(&cfg)
	}
	srv := pvhttp.NewServer(cfg)
	hs := httptest.NewServer(srv)
	t.Cleanup(func() { srv.Close(); hs.Close() })
	e.URL = hs.URL
	return e
}

type result struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r result) code() string {
	var er pvhttp.ErrorResponse
	json.Unmarshal(r.Body, &er)
	return er.Error.Code
}

func (e *env) do(method, path, token string, body any, hdr ...string) result {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	case string:
		rd = strings.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		rd = bytes.NewReader(j)
	}
	req, _ := http.NewRequest(method, e.URL+path, rd)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return result{resp.StatusCode, resp.Header, b}
}

type tokens struct {
	AccessToken  string   `json:"access_token"`
	RefreshToken string   `json:"refresh_token"`
	ExpiresIn    int      `json:"expires_in"`
	Roles        []string `json:"roles"`
}

func (e *env) login(name string) tokens {
	e.t.Helper()
	r := e.do("POST", "/api/v1/auth/login", "", map[string]string{"username": name, "password": password})
	if r.Status != 200 {
		e.t.Fatalf("login %s: %d %s", name, r.Status, r.Body)
	}
	var tk tokens
	json.Unmarshal(r.Body, &tk)
	return tk
}

// forge signs claims like the server's with another method or key.
func forge(t *testing.T, method jwt.SigningMethod, kid string, key any, aud string, exp time.Time) string {
	t.Helper()
	return forgeStamp(t, "s", method, kid, key, aud, exp)
}

// forgeStamp is forge with the account stamp the token claims.
func forgeStamp(t *testing.T, stamp string, method jwt.SigningMethod, kid string, key any, aud string, exp time.Time) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, jwt.MapClaims{
		"iss": "postvakt", "aud": aud, "sub": "1", "name": "adm", "roles": []string{"admin", "compliance", "staff"}, "stp": stamp,
		"iat": t0.Unix(), "exp": exp.Unix(),
	})
	tok.Header["kid"] = kid
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestRefusals(t *testing.T) {
	e := newEnv(t)
	admin, staff := e.login("adm").AccessToken, e.login("staff").AccessToken
	exp := t0.Add(time.Hour)
	otherKey := pvhttp.NewKeys()
	au, err := e.DB.FindUserByID(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	admStamp := au.Stamp
	var sameKid []byte = bytes.Repeat([]byte{1}, 32)
	big := `{"entries": [` + strings.Repeat(" ", 2<<20) + `]}`

	for _, tc := range []struct {
		name         string
		method, path string
		token        string
		body         any
		status       int
		code         string
	}{
		// authentication
		{"no token", "GET", "/api/v1/bundle", "", nil, 401, "EUNAUTHORIZED"},
		{"not a bearer token", "GET", "/api/v1/bundle", "", nil, 401, "EUNAUTHORIZED"},
		{"garbage token", "GET", "/api/v1/bundle", "abc.def.ghi", nil, 401, "EUNAUTHORIZED"},
		{"token signed with another key", "GET", "/api/v1/bundle", forge(t, jwt.SigningMethodHS256, otherKey.Current, otherKey.Secrets[otherKey.Current], "postvakt-api", exp), nil, 401, "EUNAUTHORIZED"},
		{"another key under our kid", "GET", "/api/v1/bundle", forge(t, jwt.SigningMethodHS256, e.Keys.Current, sameKid, "postvakt-api", exp), nil, 401, "EUNAUTHORIZED"},
		{"alg none", "GET", "/api/v1/bundle", forge(t, jwt.SigningMethodNone, e.Keys.Current, jwt.UnsafeAllowNoneSignatureType, "postvakt-api", exp), nil, 401, "EUNAUTHORIZED"},
		{"HS512 with our key", "GET", "/api/v1/bundle", forge(t, jwt.SigningMethodHS512, e.Keys.Current, e.Keys.Secrets[e.Keys.Current], "postvakt-api", exp), nil, 401, "EUNAUTHORIZED"},
		{"page session as API token", "GET", "/api/v1/bundle", forge(t, jwt.SigningMethodHS256, e.Keys.Current, e.Keys.Secrets[e.Keys.Current], "postvakt-web", exp), nil, 401, "EUNAUTHORIZED"},
		{"expired by the server's own key", "GET", "/api/v1/bundle", forge(t, jwt.SigningMethodHS256, e.Keys.Current, e.Keys.Secrets[e.Keys.Current], "postvakt-api", t0.Add(-time.Minute)), nil, 401, "EUNAUTHORIZED"},
		{"valid forged-shape token without the account's stamp", "GET", "/api/v1/bundle", forge(t, jwt.SigningMethodHS256, e.Keys.Current, e.Keys.Secrets[e.Keys.Current], "postvakt-api", exp), nil, 401, "EUNAUTHORIZED"},
		{"valid forged-shape token is accepted", "GET", "/api/v1/bundle", forgeStamp(t, admStamp, jwt.SigningMethodHS256, e.Keys.Current, e.Keys.Secrets[e.Keys.Current], "postvakt-api", exp), nil, 200, ""},
		// roles
		{"staff lists bundles", "GET", "/api/v1/admin/bundles", staff, nil, 403, "EFORBIDDEN"},
		{"staff creates a bundle", "POST", "/api/v1/admin/bundles", staff, testBundle(t, "t-2"), 403, "EFORBIDDEN"},
		{"staff reads a version", "GET", "/api/v1/admin/bundles/t-1", staff, nil, 403, "EFORBIDDEN"},
		{"staff publishes", "POST", "/api/v1/admin/bundles/t-1/publish", staff, nil, 403, "EFORBIDDEN"},
		{"staff checks", "POST", "/api/v1/admin/check", staff, map[string]any{"draft": map[string]string{"id": "x", "text": "y"}}, 403, "EFORBIDDEN"},
		{"staff sets crisis", "PUT", "/api/v1/admin/crisis", staff, map[string]any{"active": true}, 403, "EFORBIDDEN"},
		{"staff reads the audit log", "GET", "/api/v1/audit", staff, nil, 403, "EFORBIDDEN"},
		{"staff exports", "GET", "/api/v1/audit/export?format=csv", staff, nil, 403, "EFORBIDDEN"},
		{"staff verifies", "GET", "/api/v1/audit/verify", staff, nil, 403, "EFORBIDDEN"},
		{"staff reads checkpoints", "GET", "/api/v1/audit/checkpoints", staff, nil, 403, "EFORBIDDEN"},
		{"staff reads an entry", "GET", "/api/v1/audit/1", staff, nil, 403, "EFORBIDDEN"},
		{"admin reads the audit log", "GET", "/api/v1/audit", admin, nil, 403, "EFORBIDDEN"},
		// bodies
		{"audit body over the limit", "POST", "/api/v1/audit", staff, big, 413, "ETOOLARGE"},
		{"bundle over the limit", "POST", "/api/v1/admin/bundles", admin, `{"version":"` + strings.Repeat("x", 6<<20) + `"}`, 413, "ETOOLARGE"},
		{"malformed audit batch", "POST", "/api/v1/audit", staff, `{"entries": [`, 400, "EMALFORMED"},
		{"malformed login", "POST", "/api/v1/auth/login", "", `{"username": "adm",`, 400, "EMALFORMED"},
		{"login with unknown field", "POST", "/api/v1/auth/login", "", `{"username": "adm", "password": "x", "admin": true}`, 400, "EMALFORMED"},
		{"malformed crisis", "PUT", "/api/v1/admin/crisis", admin, `{"active": "yes"}`, 400, "EMALFORMED"},
		{"audit entries of the wrong type", "POST", "/api/v1/audit", staff, `{"entries": {"id": 1}}`, 400, "EMALFORMED"},
		{"malformed check", "POST", "/api/v1/admin/check", admin, `[1, 2`, 400, "EMALFORMED"},
		{"malformed bundle", "POST", "/api/v1/admin/bundles", admin, `{"version": "t-3", "rules": [}`, 400, "EMALFORMED"},
		{"empty login", "POST", "/api/v1/auth/login", "", ``, 400, "EMALFORMED"},
		{"batch too big", "POST", "/api/v1/audit", staff, map[string]any{"entries": make([]struct{}, 501)}, 422, "EINVALID"},
		// unknown things
		{"unknown version published", "POST", "/api/v1/admin/bundles/t-9/publish", admin, nil, 404, "ENOTFOUND"},
		{"unknown version read", "GET", "/api/v1/admin/bundles/t-9", admin, nil, 404, "ENOTFOUND"},
		{"unknown version checked", "POST", "/api/v1/admin/check", admin, map[string]any{"version": "t-9", "draft": map[string]string{"id": "x", "text": "y"}}, 404, "ENOTFOUND"},
		{"unknown route", "GET", "/api/v1/nothing", admin, nil, 404, "ENOTFOUND"},
		{"publishing the published version", "POST", "/api/v1/admin/bundles/t-1/publish", admin, nil, 409, "ECONFLICT"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var hdr []string
			if tc.name == "not a bearer token" {
				hdr = []string{"Authorization", "Basic YWRtOnBhc3M="}
			}
			r := e.do(tc.method, tc.path, tc.token, tc.body, hdr...)
			if r.Status != tc.status || r.code() != tc.code {
				t.Errorf("%s %s: got %d %q, want %d %q\n%.300s", tc.method, tc.path, r.Status, r.code(), tc.status, tc.code, r.Body)
			}
			if tc.status >= 400 && !bytes.Contains(r.Body, []byte(`"message":`)) {
				t.Errorf("error body %s lacks a message", r.Body)
			}
			// Messages speak JSON to the client, never Go.
			var eb struct {
				Error struct{ Message string } `json:"error"`
			}
			if tc.status >= 400 && json.Unmarshal(r.Body, &eb) == nil {
				for _, g := range []string{"Go ", "struct", "map[", "[]", "json."} {
					if strings.Contains(eb.Error.Message, g) {
						t.Errorf("error message names Go types: %q", eb.Error.Message)
					}
				}
			}
		})
	}
}

func TestExpiredToken(t *testing.T) {
	e := newEnv(t)
	tk := e.login("staff")
	if r := e.do("GET", "/api/v1/bundle", tk.AccessToken, nil); r.Status != 200 {
		t.Fatalf("fresh token: %d", r.Status)
	}
	e.Clock.Add(time.Duration(tk.ExpiresIn+1) * time.Second)
	r := e.do("GET", "/api/v1/bundle", tk.AccessToken, nil)
	if r.Status != 401 || !strings.Contains(string(r.Body), "expired") {
		t.Errorf("expired token: %d %s, want 401 saying it expired", r.Status, r.Body)
	}
	// The refresh token still gives a new access token.
	r = e.do("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": tk.RefreshToken})
	if r.Status != 200 {
		t.Errorf("refresh after expiry: %d %s", r.Status, r.Body)
	}
}

func TestRefreshRotation(t *testing.T) {
	e := newEnv(t)
	tk := e.login("staff")
	var next tokens
	r := e.do("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": tk.RefreshToken})
	json.Unmarshal(r.Body, &next)
	if r.Status != 200 || next.RefreshToken == "" || next.RefreshToken == tk.RefreshToken || next.AccessToken == "" {
		t.Fatalf("refresh: %d %s", r.Status, r.Body)
	}
	// The old token is replayed: refused, and the family is revoked, so
	// the token the rotation gave out stops working too.
	if r := e.do("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": tk.RefreshToken}); r.Status != 401 || r.code() != "EUNAUTHORIZED" {
		t.Errorf("reused refresh token: %d %s, want 401", r.Status, r.Body)
	}
	if r := e.do("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": next.RefreshToken}); r.Status != 401 {
		t.Errorf("successor after reuse: %d, want 401 (family revoked)", r.Status)
	}
	// Logout revokes a session's family.
	tk = e.login("staff")
	if r := e.do("POST", "/api/v1/auth/logout", "", map[string]string{"refresh_token": tk.RefreshToken}); r.Status != 204 {
		t.Errorf("logout: %d", r.Status)
	}
	if r := e.do("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": tk.RefreshToken}); r.Status != 401 {
		t.Errorf("refresh after logout: %d, want 401", r.Status)
	}
}

func TestLoginBruteForce(t *testing.T) {
	e := newEnv(t)
	for i := 1; i <= 5; i++ {
		r := e.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "adm", "password": fmt.Sprintf("guess-%d", i)})
		if r.Status != 401 {
			t.Fatalf("attempt %d: %d, want 401", i, r.Status)
		}
	}
	// Now even the right password is refused until the window passes.
	r := e.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "adm", "password": password})
	if r.Status != 429 || r.code() != "ETOOMANY" || r.Header.Get("Retry-After") == "" {
		t.Errorf("after 5 failures: %d %q Retry-After %q, want 429 ETOOMANY", r.Status, r.code(), r.Header.Get("Retry-After"))
	}
	// Other users are not locked out by it.
	e.login("comp")
	e.Clock.Add(16 * time.Minute)
	e.login("adm")
}

func entry(i int, reason string) map[string]any {
	return map[string]any{"id": fmt.Sprintf("11111111-2222-4333-8444-%012d", i), "platform": "facebook", "at": "2026-11-20T09:00:00Z",
		"bundle": "t-1", "action": "overridden", "reason": reason, "user": "forged",
		"findings": []map[string]string{{"rule": "pii.phone", "severity": "warn", "excerpt": "9*****78"}}}
}

func TestAuditIngest(t *testing.T) {
	e := newEnv(t)
	staff := e.login("staff").AccessToken
	bad := entry(3, "")
	bad["id"] = "not-a-uuid"
	r := e.do("POST", "/api/v1/audit", staff, map[string]any{"entries": []any{entry(1, "ok"), entry(1, "ok"), bad, entry(2, "fordi")}})
	want := `{"accepted":2,"duplicates":1,"rejected":[{"index":2,"id":"not-a-uuid","problems":[{"path":"id","message":"must be a UUID in its canonical lower-case form"},{"path":"reason","message":"is required when the action is overridden"}]}]}`
	// The signed checkpoint is checked in TestCheckpointInIngest.
	body := regexp.MustCompile(`,"checkpoint":"[^"]*"`).ReplaceAllString(strings.TrimSpace(string(r.Body)), "")
	if r.Status != 200 || body != want {
		t.Errorf("ingest: %d\n got %s\nwant %s", r.Status, r.Body, want)
	}
	rec, err := e.DB.Get(context.Background(), 1)
	if err != nil || rec.User != "staff" || rec.Unit != "kommunikasjon" {
		t.Errorf("stored entry %+v %v: want the token's user and unit", rec, err)
	}
}

// A browser whose queue overflowed says how many entries it dropped; the
// count reaches compliance in the API, the CSV export and the entry page.
func TestDroppedReport(t *testing.T) {
	e := newEnv(t)
	staff := e.login("staff").AccessToken
	rep := map[string]any{"id": "11111111-2222-4333-8444-000000000009", "platform": "other", "at": "2026-11-20T09:00:00Z",
		"bundle": "t-1", "action": "dropped", "dropped": 37, "findings": []any{}}
	noCount := map[string]any{"id": "11111111-2222-4333-8444-000000000010", "platform": "other", "at": "2026-11-20T09:00:00Z",
		"bundle": "t-1", "action": "dropped", "findings": []any{}}
	r := e.do("POST", "/api/v1/audit", staff, map[string]any{"entries": []any{rep, noCount}})
	if r.Status != 200 || !strings.Contains(string(r.Body), `"accepted":1`) || !strings.Contains(string(r.Body), `"path":"dropped"`) {
		t.Fatalf("ingest: %d %s", r.Status, r.Body)
	}
	comp := e.login("comp").AccessToken
	r = e.do("GET", "/api/v1/audit?action=dropped", comp, nil)
	if r.Status != 200 || !strings.Contains(string(r.Body), `"dropped":37`) {
		t.Errorf("GET /audit?action=dropped: %d %s", r.Status, r.Body)
	}
	r = e.do("GET", "/api/v1/audit/export?format=csv", comp, nil)
	if lines := strings.Split(strings.TrimSpace(string(r.Body)), "\n"); r.Status != 200 || len(lines) < 2 || !strings.Contains(lines[0], "dropped") || !strings.Contains(lines[len(lines)-1], ",37,") {
		t.Errorf("CSV export: %d %s", r.Status, r.Body)
	}
	body := e.browser("comp").get("/compliance/entries/1", 200)
	if !strings.Contains(body, "37 oppføringer ble forkastet") {
		t.Errorf("entry page does not show the count:\n%s", body)
	}
}

func TestScriptInReason(t *testing.T) {
	e := newEnv(t)
	staff := e.login("staff").AccessToken
	reason := `Avklart med leder, 3 < 5 <script>alert("x")</script><img src=x onerror=alert(1)>&lt;script&gt;alert(2)&lt;/script&gt;`
	e.do("POST", "/api/v1/audit", staff, map[string]any{"entries": []any{entry(1, reason)}})
	rec, err := e.DB.Get(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(strings.ToLower(rec.Reason), "<script") || strings.Contains(rec.Reason, "<img") || rec.Reason != "Avklart med leder, 3 < 5" {
		t.Errorf("stored reason %q, want the text without any markup", rec.Reason)
	}
	c := e.browser("comp")
	for _, path := range []string{"/compliance", "/compliance/entries/1"} {
		body := c.get(path, 200)
		if !strings.Contains(body, "Avklart med leder, 3 &lt; 5") || strings.Contains(body, "<script") {
			t.Errorf("%s does not show the reason escaped", path)
		}
	}
}

func TestFilterMetacharacters(t *testing.T) {
	e := newEnv(t)
	staff, comp := e.login("staff").AccessToken, e.login("comp").AccessToken
	e.do("POST", "/api/v1/audit", staff, map[string]any{"entries": []any{entry(1, "a"), entry(2, "b")}})
	values := []string{`' OR '1'='1`, `"; DROP TABLE audit; --`, `%`, `_`, `\`, `1) OR (1=1`, `staff' --`, "\x00", `*/ UNION SELECT * FROM users /*`}
	for _, f := range []string{"from", "to", "user", "unit", "platform", "rule", "action", "cursor", "limit"} {
		for _, v := range values {
			for _, path := range []string{"/api/v1/audit", "/api/v1/audit/export"} {
				if path == "/api/v1/audit/export" && (f == "cursor" || f == "limit") {
					continue // an export is never paged
				}
				r := e.do("GET", path+"?"+url.Values{f: {v}}.Encode(), comp, nil)
				switch {
				case r.Status == 422 || r.Status == 400:
					// An enumerated or typed filter refuses the value.
				case r.Status == 200 && path == "/api/v1/audit":
					var p struct{ Entries []json.RawMessage }
					json.Unmarshal(r.Body, &p)
					if len(p.Entries) != 0 {
						t.Errorf("%s=%q matched %d entries", f, v, len(p.Entries))
					}
				case r.Status == 200:
					if n := bytes.Count(r.Body, []byte("\n")); n != 0 {
						t.Errorf("export %s=%q gave %d lines", f, v, n)
					}
				default:
					t.Errorf("%s %s=%q: status %d %s", path, f, v, r.Status, r.Body)
				}
			}
		}
	}
	var p struct{ Entries []json.RawMessage }
	json.Unmarshal(e.do("GET", "/api/v1/audit", comp, nil).Body, &p)
	if len(p.Entries) != 2 {
		t.Errorf("after the attempts the log has %d entries, want 2", len(p.Entries))
	}
}

func TestHealthAndMetrics(t *testing.T) {
	e := newEnvWith(t, func(c *pvhttp.Config) { c.MetricsToken = "m-token-123" })
	for _, p := range []string{"/healthz", "/readyz"} {
		if r := e.do("GET", p, "", nil); r.Status != 200 {
			t.Errorf("%s: %d", p, r.Status)
		}
	}
	e.login("staff")
	r := e.do("GET", "/metrics", "m-token-123", nil)
	for _, want := range []string{`postvakt_http_requests_total{method="POST",route="/api/v1/auth/login",code="200"} 1`, "postvakt_sse_clients 0", "# TYPE postvakt_audit_entries_accepted_total counter"} {
		if !strings.Contains(string(r.Body), want) {
			t.Errorf("/metrics lacks %q:\n%s", want, r.Body)
		}
	}
}

func TestBundleETag(t *testing.T) {
	e := newEnv(t)
	staff := e.login("staff").AccessToken
	r := e.do("GET", "/api/v1/bundle", staff, nil)
	etag := r.Header.Get("ETag")
	if r.Status != 200 || !regexp.MustCompile(`^"[0-9a-f]{32}"$`).MatchString(etag) {
		t.Fatalf("GET /bundle: %d ETag %q", r.Status, etag)
	}
	for _, tc := range []struct {
		inm    string
		status int
	}{
		{etag, 304}, {`W/` + etag, 304}, {`"other", ` + etag, 304}, {`*`, 304}, {`"other"`, 200}, {``, 200},
	} {
		r := e.do("GET", "/api/v1/bundle", staff, nil, "If-None-Match", tc.inm)
		if r.Status != tc.status || r.Header.Get("ETag") != etag {
			t.Errorf("If-None-Match %q: %d ETag %q, want %d", tc.inm, r.Status, r.Header.Get("ETag"), tc.status)
		}
	}
}

// browser is a cookie-keeping client signed in to the pages.
type browser struct {
	e *env
	c *http.Client
}

func (e *env) browser(name string) *browser { return e.browserStatus(name, 200) }

// browserStatus signs in; the page after sign-in answers status (403 for
// a user with neither admin nor compliance).
func (e *env) browserStatus(name string, status int) *browser {
	e.t.Helper()
	jar, _ := cookiejar.New(nil)
	b := &browser{e: e, c: &http.Client{Jar: jar}}
	body := b.post("/login", url.Values{"username": {name}, "password": {password}}, status)
	if !strings.Contains(body, "Innlogget som "+name) {
		e.t.Fatalf("login page for %s did not sign in:\n%.500s", name, body)
	}
	return b
}

func (b *browser) get(path string, status int) string {
	b.e.t.Helper()
	resp, err := b.c.Get(b.e.URL + path)
	if err != nil {
		b.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != status {
		b.e.t.Fatalf("GET %s: %d, want %d\n%.1000s", path, resp.StatusCode, status, body)
	}
	return string(body)
}

func (b *browser) post(path string, form url.Values, status int) string {
	b.e.t.Helper()
	resp, err := b.c.PostForm(b.e.URL+path, form)
	if err != nil {
		b.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != status {
		b.e.t.Fatalf("POST %s: %d, want %d\n%.1000s", path, resp.StatusCode, status, body)
	}
	return string(body)
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (b *browser) csrf(path string) string {
	b.e.t.Helper()
	m := csrfRE.FindStringSubmatch(b.get(path, 200))
	if m == nil {
		b.e.t.Fatalf("%s has no CSRF token", path)
	}
	return m[1]
}

func TestAdminPages(t *testing.T) {
	e := newEnv(t)
	b := e.browser("adm")
	csrf := b.csrf("/admin")

	// Without the CSRF token a form is refused, and so is one posted from
	// another site even with the token.
	b.post("/admin/bundles/t-1/publish", url.Values{}, 403)
	req, _ := http.NewRequest("POST", e.URL+"/admin/crisis", strings.NewReader(url.Values{"csrf": {csrf}, "active": {"on"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	if resp, err := b.c.Do(req); err != nil || resp.StatusCode != 403 {
		t.Errorf("cross-origin form post: %v %v, want 403", resp.StatusCode, err)
	} else {
		resp.Body.Close()
	}
	// A broken bundle is shown again with its errors.
	broken := strings.Replace(string(testBundle(t, "t-2")), `"severity":"block"`, `"severity":"fatal"`, 1)
	body := b.post("/admin/bundles", url.Values{"csrf": {csrf}, "bundle": {broken}}, 422)
	if !strings.Contains(body, "Linje 1, <code>rules[0].severity</code>") || !strings.Contains(body, `aria-invalid="true"`) {
		t.Errorf("editor does not show the error inline:\n%.2000s", body)
	}
	if !strings.Contains(body, "er ikke en av info, warn, block") {
		t.Errorf("editor does not show the error in bokmål:\n%.2000s", body)
	}
	// A draft can be tried on a text without saving it, even with its
	// examples failing.
	draftDoc := strings.Replace(string(testBundle(t, "t-2")), `"taushetsbelagt*"`, `"hemmelig*"`, 1)
	body = b.post("/admin/bundles/try", url.Values{"csrf": {csrf}, "bundle": {draftDoc}, "sample": {"Dette er hemmelig."}}, 200)
	if !strings.Contains(body, "Resultat med utkastet: stoppes") || !strings.Contains(body, "hemmelig</td>") {
		t.Errorf("try-out:\n%.3000s", body)
	}
	b.post("/admin/bundles/try", url.Values{"csrf": {csrf}, "bundle": {broken}, "sample": {"x"}}, 422)
	if list := e.do("GET", "/api/v1/admin/bundles", e.login("adm").AccessToken, nil); strings.Contains(string(list.Body), "t-2") {
		t.Errorf("trying a draft stored it: %s", list.Body)
	}
	body = b.post("/admin/bundles", url.Values{"csrf": {csrf}, "bundle": {string(testBundle(t, "t-2"))}}, 200)
	if !strings.Contains(body, "Versjon t-2 er lagret") {
		t.Errorf("after saving: %.1000s", body)
	}
	body = b.post("/admin/bundles/t-2/publish", url.Values{"csrf": {csrf}}, 200)
	if !strings.Contains(body, "Versjon t-2 er publisert") || !strings.Contains(body, "Rull tilbake til t-1") {
		t.Errorf("after publishing: %.3000s", body)
	}
	body = b.post("/admin/bundles/t-1/publish", url.Values{"csrf": {csrf}}, 200)
	if !strings.Contains(body, "Rullet tilbake til versjon t-1") {
		t.Errorf("after rollback: %.1000s", body)
	}
	if body := b.get("/admin/bundles/t-2?diff=t-1", 200); !strings.Contains(body, `<span class="add">+   &#34;version&#34;: &#34;t-2&#34;,</span>`) && !strings.Contains(body, `class="add"`) {
		t.Errorf("diff page shows no change:\n%.3000s", body)
	}
	if body := b.get("/admin/bundles/new?from=t-2", 200); !strings.Contains(body, "2026-11-22.1") {
		t.Errorf("editor does not propose the next version:\n%.1000s", body)
	}
	body = b.post("/admin/test", url.Values{"csrf": {csrf}, "text": {"Saken er unntatt offentlighet."}, "version": {"t-1"}, "platform": {"facebook"}, "kind": {"post"}}, 200)
	if !strings.Contains(body, "Resultat: stoppes") || !strings.Contains(body, "<code>case.confidential</code>") || !strings.Contains(body, "unntatt offentlighet</td>") {
		t.Errorf("test box:\n%.3000s", body)
	}
	// A browser sends its Origin on form posts; our own is accepted.
	req, _ = http.NewRequest("POST", e.URL+"/admin/crisis", strings.NewReader(url.Values{"csrf": {csrf}, "active": {"on"}, "message": {"Storm <b>nå</b>"}, "team": {"adm\nkari"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", e.URL)
	resp, err := b.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	body = string(raw)
	if !strings.Contains(body, "Krisemodus er PÅ") || !strings.Contains(body, "Storm nå") {
		t.Errorf("crisis: %.2000s", body)
	}
	// A staff or compliance session may not use the admin pages.
	e.browser("comp").get("/admin", 403)
	// Logging out ends the session.
	b.post("/logout", url.Values{"csrf": {csrf}}, 200)
	if body := b.get("/admin", 200); !strings.Contains(body, "Logg inn") {
		t.Errorf("after logout /admin shows:\n%.500s", body)
	}
}

func TestCompliancePages(t *testing.T) {
	e := newEnv(t)
	staff := e.login("staff").AccessToken
	e.do("POST", "/api/v1/audit", staff, map[string]any{"entries": []any{entry(1, "a"), entry(2, "b")}})
	b := e.browser("comp")
	body := b.get("/compliance", 200)
	for _, want := range []string{`<svg role="img"`, "pii.phone", `href="/compliance/entries/2"`, "Eksporter CSV", "Verifiser hele loggen"} {
		if !strings.Contains(body, want) {
			t.Errorf("/compliance lacks %q", want)
		}
	}
	if body := b.get("/compliance?action=published", 200); !strings.Contains(body, "Ingen oppføringer passer filteret") {
		t.Errorf("filter by action shows entries")
	}
	if body := b.get("/compliance?from=i+går", 200); !strings.Contains(body, "from must be") {
		t.Errorf("a bad filter is not explained:\n%.500s", body)
	}
	if body := b.get("/compliance/verify", 200); !strings.Contains(body, "Loggen er uendret: 2 oppføringer") {
		t.Errorf("verify page:\n%.1000s", body)
	}
	if body := b.get("/compliance/export?format=csv", 200); !strings.HasPrefix(body, "seq,id,received") {
		t.Errorf("export:\n%.300s", body)
	}
	b.get("/compliance/entries/99", 404)
	e.browserStatus("staff", 403).get("/compliance", 403)
}

// TestTrustedProxy checks that behind a trusted proxy the login limit is
// per client, not per proxy, and that an untrusted X-Forwarded-For is
// ignored.
func TestTrustedProxy(t *testing.T) {
	for _, tc := range []struct {
		name    string
		trusted string
		blocked bool // a new client is blocked after other clients' failures
	}{
		{"no proxy configured", "", true},
		{"loopback proxy trusted", "127.0.0.0/8", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnvWith(t, func(cfg *pvhttp.Config) {
				cfg.LoginLimit = 2 // so 10 failures block an address
				if tc.trusted != "" {
					_, n, _ := net.ParseCIDR(tc.trusted)
					cfg.TrustedProxies = []*net.IPNet{n}
				}
			})
			// 10 failures for 10 names from 10 clients behind the proxy.
			for i := 0; i < 10; i++ {
				e.do("POST", "/api/v1/auth/login", "", map[string]string{"username": fmt.Sprintf("u%d", i), "password": "x"}, "X-Forwarded-For", fmt.Sprintf("10.0.0.%d", i+1))
			}
			r := e.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "adm", "password": password}, "X-Forwarded-For", "10.0.1.1")
			if got := r.Status == 429; got != tc.blocked {
				t.Errorf("a new client's login: %d, want blocked=%v", r.Status, tc.blocked)
			}
		})
	}
}

// The extension calls the API from chrome-extension://ID; nothing else
// gets CORS headers, and the cookie-based pages never do.
func TestExtensionCORS(t *testing.T) {
	e := newEnv(t)
	tok := e.login("staff").AccessToken
	const ext = "chrome-extension://ijipoincheddgcocfojgocelfinkgljg"
	for _, tc := range []struct {
		name, method, path, origin string
		status                     int
		allow                      string
	}{
		{"preflight from the extension", "OPTIONS", "/api/v1/bundle", ext, 204, ext},
		{"bundle from the extension", "GET", "/api/v1/bundle", ext, 200, ext},
		{"preflight from a web page", "OPTIONS", "/api/v1/bundle", "https://evil.example", 204, ""},
		{"bundle from a web page", "GET", "/api/v1/bundle", "https://evil.example", 200, ""},
		{"admin pages", "GET", "/login", ext, 200, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hdr := []string{"Origin", tc.origin}
			if tc.method == "OPTIONS" {
				hdr = append(hdr, "Access-Control-Request-Method", "GET", "Access-Control-Request-Headers", "authorization,if-none-match")
			}
			r := e.do(tc.method, tc.path, tok, nil, hdr...)
			if r.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.Status, tc.status, r.Body)
			}
			if got := r.Header.Get("Access-Control-Allow-Origin"); got != tc.allow {
				t.Errorf("Access-Control-Allow-Origin %q, want %q", got, tc.allow)
			}
			if tc.allow != "" && tc.method == "GET" && !strings.Contains(r.Header.Get("Access-Control-Expose-Headers"), "Etag") && !strings.Contains(r.Header.Get("Access-Control-Expose-Headers"), "ETag") {
				t.Errorf("ETag not exposed: %q", r.Header.Get("Access-Control-Expose-Headers"))
			}
			if tc.allow != "" && tc.method == "OPTIONS" && !strings.Contains(strings.ToLower(r.Header.Get("Access-Control-Allow-Headers")), "authorization") {
				t.Errorf("Authorization not allowed: %q", r.Header.Get("Access-Control-Allow-Headers"))
			}
		})
	}
}
