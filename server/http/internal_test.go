package http_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/postvakt/postvakt/server"
	pvhttp "github.com/postvakt/postvakt/server/http"
	"github.com/postvakt/postvakt/server/mock"
)

// TestInternalErrorsDoNotLeak checks that a store failure reaches the
// client as EINTERNAL with a generic message, and the log as the error.
func TestInternalErrorsDoNotLeak(t *testing.T) {
	var logs bytes.Buffer
	secret := errors.New("disk I/O error at /srv/postvakt/data/postvakt.db")
	keys := pvhttp.NewKeys()
	rs := &mock.RuleStore{PublishedFn: func(context.Context) (*server.BundleVersion, error) { return nil, secret }}
	srv := pvhttp.NewServer(pvhttp.Config{Users: &mock.UserStore{FindUserByIDFn: func(context.Context, int64) (*server.User, error) {
		return &server.User{ID: 1, Name: "adm", Roles: []string{"admin"}, Stamp: "s"}, nil
	}}, Rules: rs, Audit: &mock.AuditLog{}, Keys: keys,
		AuditKey: make(ed25519.PublicKey, ed25519.PublicKeySize), Now: func() time.Time { return t0 },
		Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	hs := httptest.NewServer(srv)
	defer hs.Close()
	token := forge(t, jwt.SigningMethodHS256, keys.Current, keys.Secrets[keys.Current], "postvakt-api", t0.Add(time.Hour))
	req, _ := http.NewRequest("GET", hs.URL+"/api/v1/bundle", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 500 || strings.TrimSpace(string(body)) != `{"error":{"code":"EINTERNAL","message":"Internal error."}}` {
		t.Errorf("got %d %s", resp.StatusCode, body)
	}
	if !strings.Contains(logs.String(), `"level":"ERROR","msg":"internal error","route":"/api/v1/bundle"`) || !strings.Contains(logs.String(), "disk I/O error") {
		t.Errorf("the log does not record the internal error:\n%s", logs.String())
	}
	if r, err := http.Get(hs.URL + "/readyz"); err != nil || r.StatusCode != 503 {
		t.Errorf("/readyz with a failing store: %v %v, want 503", r.StatusCode, err)
	}
}
