package http

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/labstack/echo/v4"
	"github.com/postvakt/postvakt/server"
)

// Token issuer and audiences. Access tokens and page sessions are both
// JWTs but with different audiences, so one cannot stand in for the other.
const (
	Issuer      = "postvakt"
	AudienceAPI = "postvakt-api"
	AudienceWeb = "postvakt-web"
)

// Keys are the HMAC keys for tokens, by key id. Current signs; every key
// verifies, so a key can be rotated in while tokens signed with the old
// one expire.
type Keys struct {
	Current string
	Secrets map[string][]byte
}

// NewKeys returns a key set with one fresh random key.
func NewKeys() *Keys {
	b := make([]byte, 32)
	rand.Read(b)
	id := KeyIDOf(b)
	return &Keys{Current: id, Secrets: map[string][]byte{id: b}}
}

// KeyIDOf returns the id of an HMAC secret: a prefix of its SHA-256.
func KeyIDOf(secret []byte) string {
	h := sha256.Sum256(append([]byte("postvakt-jwt-kid\n"), secret...))
	return hex.EncodeToString(h[:6])
}

// Claims are an access token's or a page session's claims.
type Claims struct {
	Name  string   `json:"name"`
	Roles []string `json:"roles"`
	Unit  string   `json:"unit,omitempty"`
	// SID is a page session's id; the CSRF token is derived from it.
	SID string `json:"sid,omitempty"`
	// Stamp is the account's stamp when the token was issued; the token
	// is refused once the account's stamp changes (server.User.Stamp).
	Stamp string `json:"stp,omitempty"`
	jwt.RegisteredClaims
}

// UserID returns the numeric user id in the subject.
func (c *Claims) UserID() int64 {
	var id int64
	fmt.Sscan(c.Subject, &id)
	return id
}

// HasRole reports whether the token carries role.
func (c *Claims) HasRole(role string) bool { return slices.Contains(c.Roles, role) }

func (k *Keys) sign(c *Claims) (string, error) {
	t := jwt.NewWithClaims(jwt.SigningMethodHS256, c)
	t.Header["kid"] = k.Current
	return t.SignedString(k.Secrets[k.Current])
}

// parse verifies a token: HS256 only, a known kid, our issuer, the given
// audience, and an expiry that has not passed.
func (k *Keys) parse(token, audience string, now time.Time) (*Claims, error) {
	var c Claims
	_, err := jwt.ParseWithClaims(token, &c, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		secret, ok := k.Secrets[kid]
		if !ok {
			return nil, errors.New("unknown key id")
		}
		return secret, nil
	},
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(Issuer),
		jwt.WithAudience(audience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithTimeFunc(func() time.Time { return now }),
	)
	if err != nil {
		return nil, err
	}
	return &c, nil
}

func newClaims(u *server.User, audience string, now time.Time, ttl time.Duration) *Claims {
	jti := make([]byte, 12)
	rand.Read(jti)
	return &Claims{
		Name:  u.Name,
		Roles: u.Roles,
		Unit:  u.Unit,
		Stamp: u.Stamp,
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    Issuer,
			Subject:   fmt.Sprint(u.ID),
			Audience:  jwt.ClaimStrings{audience},
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
			ID:        base64.RawURLEncoding.EncodeToString(jti),
		},
	}
}

const claimsKey = "postvakt.claims"

// claimsOf returns the claims the auth middleware stored.
func claimsOf(c echo.Context) *Claims {
	cl, _ := c.Get(claimsKey).(*Claims)
	return cl
}

// requireToken accepts requests with a valid bearer access token whose
// account is still enabled and unchanged (see accounts).
func requireToken(keys *Keys, now func() time.Time, acc *accounts) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			tok, ok := bearer(c.Request())
			if !ok {
				c.Response().Header().Set("WWW-Authenticate", `Bearer realm="postvakt"`)
				return server.Errorf(server.EUNAUTHORIZED, "A bearer token is required.")
			}
			cl, err := keys.parse(tok, AudienceAPI, now())
			if err != nil {
				c.Response().Header().Set("WWW-Authenticate", `Bearer realm="postvakt", error="invalid_token"`)
				if errors.Is(err, jwt.ErrTokenExpired) {
					return server.Errorf(server.EUNAUTHORIZED, "The token has expired.")
				}
				return server.Errorf(server.EUNAUTHORIZED, "The token is not valid.")
			}
			if err := acc.check(c.Request().Context(), cl); err != nil {
				c.Response().Header().Set("WWW-Authenticate", `Bearer realm="postvakt", error="invalid_token"`)
				return err
			}
			c.Set(claimsKey, cl)
			return next(c)
		}
	}
}

// bearer returns the token of an "Authorization: Bearer TOKEN" header.
// The scheme is matched case-insensitively, as RFC 9110 section 11.1 says
// auth schemes are.
func bearer(r *http.Request) (string, bool) {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	tok = strings.TrimSpace(tok)
	if !ok || !strings.EqualFold(scheme, "Bearer") || tok == "" {
		return "", false
	}
	return tok, true
}

// requireRole accepts requests whose claims carry one of roles; it runs
// after requireToken or requireSession.
func requireRole(roles ...string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			cl := claimsOf(c)
			if cl == nil {
				return server.Errorf(server.EUNAUTHORIZED, "Sign in first.")
			}
			for _, r := range roles {
				if cl.HasRole(r) {
					return next(c)
				}
			}
			return server.Errorf(server.EFORBIDDEN, "This needs the %s role.", strings.Join(roles, " or "))
		}
	}
}

// csrfToken derives a page session's CSRF token from its id.
func (k *Keys) csrfToken(sid string) string {
	m := hmac.New(sha256.New, k.Secrets[k.Current])
	m.Write([]byte("postvakt-csrf\n" + sid))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func hashToken(tok string) string {
	h := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(h[:])
}

func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// memLimiter is the in-memory server.LoginLimiter: per process, for
// tests and for a server without a store that limits.
type memLimiter struct {
	mu    sync.Mutex
	hits  map[string]*window
	known map[string]time.Time
}

type window struct {
	n       int
	reset   time.Time
	strikes int
}

func newMemLimiter() *memLimiter {
	return &memLimiter{hits: map[string]*window{}, known: map[string]time.Time{}}
}

// Reserve takes an attempt from every bucket, or none.
func (l *memLimiter) Reserve(_ context.Context, buckets []server.LimitBucket, now time.Time) (bool, time.Time, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.hits) > 100_000 {
		for k, w := range l.hits {
			if !now.Before(w.reset) && (w.strikes == 0 || now.Sub(w.reset) > 7*24*time.Hour) {
				delete(l.hits, k)
			}
		}
	}
	next := make([]window, len(buckets))
	for i, b := range buckets {
		w := window{}
		if old := l.hits[b.Key]; old != nil {
			w = *old
		}
		if !now.Before(w.reset) {
			if b.Grow && w.n >= b.Max && w.strikes < server.MaxGrowth {
				w.strikes++
			}
			w.n, w.reset = 0, now.Add(b.Window<<w.strikes)
		}
		if w.n >= b.Max {
			return false, w.reset, nil
		}
		w.n++
		next[i] = w
	}
	for i, b := range buckets {
		w := next[i]
		l.hits[b.Key] = &w
	}
	return true, time.Time{}, nil
}

// Reset forgets key's attempts.
func (l *memLimiter) Reset(_ context.Context, key string) error {
	l.mu.Lock()
	delete(l.hits, key)
	l.mu.Unlock()
	return nil
}

// Release gives one attempt back to key's bucket.
func (l *memLimiter) Release(_ context.Context, key string) error {
	l.mu.Lock()
	if w := l.hits[key]; w != nil && w.n > 0 {
		w.n--
	}
	l.mu.Unlock()
	return nil
}

// Remember marks key as known until until.
func (l *memLimiter) Remember(_ context.Context, key string, until time.Time) error {
	l.mu.Lock()
	l.known[key] = until
	l.mu.Unlock()
	return nil
}

// Known reports whether key is known at now.
func (l *memLimiter) Known(_ context.Context, key string, now time.Time) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return now.Before(l.known[key]), nil
}
