package http_test

import (
	"bufio"
	"context"
	"database/sql"
	"net/http"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	"github.com/postvakt/postvakt/server"
	_ "modernc.org/sqlite"
)

// Issue #13: sessions and tokens end when they should.

func TestLogoutEndsPageSession(t *testing.T) {
	e := newEnv(t)
	b := e.browser("comp")
	u, _ := url.Parse(e.URL)
	var cookie *http.Cookie
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == "postvakt_session" {
			cookie = c
		}
	}
	if cookie == nil {
		t.Fatal("no session cookie")
	}
	csrf := b.csrf("/compliance")
	b.post("/logout", url.Values{"csrf": {csrf}}, 200) // redirected to the login page
	// The old cookie, replayed, no longer opens the pages.
	req, _ := http.NewRequest("GET", e.URL+"/compliance", nil)
	req.AddCookie(cookie)
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?next=%2Fcompliance" {
		t.Errorf("the cookie after /logout: %d %s, want 303 to the login page", resp.StatusCode, resp.Header.Get("Location"))
	}
}

// openStream opens an event stream and returns a channel closed when the
// server ends it.
func (e *env) openStream(token string) <-chan struct{} {
	e.t.Helper()
	req, _ := http.NewRequest("GET", e.URL+"/api/v1/bundle/events", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		e.t.Fatalf("event stream: %v %v", resp, err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer resp.Body.Close()
		br := bufio.NewReader(resp.Body)
		for {
			if _, err := br.ReadString('\n'); err != nil {
				return
			}
		}
	}()
	e.t.Cleanup(func() { resp.Body.Close() })
	return done
}

// within polls ok until it holds or d passes, and returns how long it took.
func within(d time.Duration, ok func() bool) (time.Duration, bool) {
	start := time.Now()
	for time.Since(start) < d {
		if ok() {
			return time.Since(start), true
		}
		time.Sleep(50 * time.Millisecond)
	}
	return time.Since(start), ok()
}

func TestAccountChangeEndsEverything(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(u *server.User)
	}{
		{"disabled", func(u *server.User) { u.Disabled = true }},
		{"roles changed", func(u *server.User) { u.Roles = []string{"staff"} }},
		{"password reset", func(u *server.User) { u.PasswordHash = []byte("$2a$04$new") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			tk := e.login("adm")
			b := e.browser("adm")
			b.get("/admin", 200)
			stream := e.openStream(tk.AccessToken)
			// The change is made straight in the store, as another process
			// (or postvakt user on the command line) would.
			ctx := context.Background()
			u, err := e.DB.FindUserByName(ctx, "adm")
			if err != nil {
				t.Fatal(err)
			}
			tc.change(u)
			if err := e.DB.UpdateUser(ctx, u, nil, time.Now()); err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct {
				what string
				ok   func() bool
			}{
				{"access token", func() bool {
					return e.do("GET", "/api/v1/admin/bundles", tk.AccessToken, nil).Status == 401
				}},
				{"audit with the access token", func() bool {
					return e.do("POST", "/api/v1/audit", tk.AccessToken, map[string]any{"entries": []any{}}).Status == 401
				}},
				{"refresh token", func() bool {
					return e.do("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": tk.RefreshToken}).Status == 401
				}},
				{"page session", func() bool {
					resp, err := b.c.Get(e.URL + "/admin")
					if err != nil {
						return false
					}
					resp.Body.Close()
					return resp.Request.URL.Path == "/login"
				}},
				{"event stream", func() bool {
					select {
					case <-stream:
						return true
					default:
						return false
					}
				}},
			} {
				took, ok := within(6*time.Second, c.ok)
				if !ok || took > 5*time.Second {
					t.Errorf("%s: ended %v after %v, want within 5 s", c.what, ok, took)
				} else {
					t.Logf("%s ended within %v", c.what, took.Round(10*time.Millisecond))
				}
			}
		})
	}
}

func TestEventStreamEndsWithToken(t *testing.T) {
	e := newEnv(t)
	tk := e.login("staff")
	stream := e.openStream(tk.AccessToken)
	e.Clock.Add(time.Duration(tk.ExpiresIn+1) * time.Second)
	if took, ok := within(5*time.Second, func() bool {
		select {
		case <-stream:
			return true
		default:
			return false
		}
	}); !ok {
		t.Errorf("the stream outlived its token by %v", took)
	}
}

// Ids are never reused: after an account's row is deleted by hand, the
// next account gets a new id, and the old account's refresh token does
// not sign in as it.
func TestIDsNotReused(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	hash, _ := e.DB.FindUserByName(ctx, "adm")
	old := &server.User{Name: "gammel", Roles: []string{"staff"}, PasswordHash: hash.PasswordHash, CreatedAt: t0}
	if err := e.DB.CreateUser(ctx, old); err != nil {
		t.Fatal(err)
	}
	tk := e.login("gammel")
	// A manual delete, as with the sqlite3 shell (foreign keys off).
	raw, err := sql.Open("sqlite", "file:"+filepath.Clean(e.DB.Path))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`DELETE FROM users WHERE id = ?`, old.ID); err != nil {
		t.Fatal(err)
	}
	nu := &server.User{Name: "ny-admin", Roles: []string{"admin"}, PasswordHash: hash.PasswordHash, CreatedAt: t0}
	if err := e.DB.CreateUser(ctx, nu); err != nil {
		t.Fatal(err)
	}
	if nu.ID <= old.ID {
		t.Errorf("new account got id %d after %d was deleted, want a larger one", nu.ID, old.ID)
	}
	if r := e.do("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": tk.RefreshToken}); r.Status != 401 {
		t.Errorf("the deleted account's refresh token: %d %s, want 401", r.Status, r.Body)
	}
	if r := e.do("GET", "/api/v1/crisis", tk.AccessToken, nil); r.Status != 401 {
		t.Errorf("the deleted account's access token: %d, want 401", r.Status)
	}
}
