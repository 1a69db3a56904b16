package http

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/postvakt/postvakt/server"
	"golang.org/x/crypto/bcrypt"
)

// issuer issues access and refresh tokens.
type issuer struct {
	keys       *Keys
	users      server.UserStore
	now        func() time.Time
	accessTTL  time.Duration
	refreshTTL time.Duration
}

// tokenResponse is what login and refresh answer.
type tokenResponse struct {
	AccessToken  string   `json:"access_token"`
	RefreshToken string   `json:"refresh_token"`
	TokenType    string   `json:"token_type"`
	ExpiresIn    int      `json:"expires_in"`
	Roles        []string `json:"roles"`
	User         string   `json:"user"`
	Unit         string   `json:"unit,omitempty"`
}

// issue returns a new access token and a refresh token of family (a new
// family when empty).
func (is *issuer) issue(ctx context.Context, u *server.User, family string) (*tokenResponse, error) {
	now := is.now()
	access, err := is.keys.sign(newClaims(u, AudienceAPI, now, is.accessTTL))
	if err != nil {
		return nil, err
	}
	if family == "" {
		b := make([]byte, 16)
		rand.Read(b)
		family = base64.RawURLEncoding.EncodeToString(b)
	}
	refresh := randomToken()
	if err := is.users.CreateRefreshToken(ctx, &server.RefreshToken{
		Hash: hashToken(refresh), Family: family, UserID: u.ID, Stamp: u.Stamp, CreatedAt: now, ExpiresAt: now.Add(is.refreshTTL),
	}); err != nil {
		return nil, err
	}
	return &tokenResponse{AccessToken: access, RefreshToken: refresh, TokenType: "Bearer",
		ExpiresIn: int(is.accessTTL / time.Second), Roles: u.Roles, User: u.Name, Unit: u.Unit}, nil
}

// dummyHash is compared against when a user does not exist, so that a
// login takes as long whether or not the name is known.
// It is made on first use so that commands that never serve do not pay
// for it.
var dummyHash = sync.OnceValue(func() []byte {
	h, _ := bcrypt.GenerateFromPassword([]byte("postvakt-no-such-user"), bcrypt.DefaultCost)
	return h
})

// HashPassword returns a bcrypt hash of password.
func HashPassword(password string, cost int) ([]byte, error) {
	if cost == 0 {
		cost = bcrypt.DefaultCost
	}
	return bcrypt.GenerateFromPassword([]byte(password), cost)
}

// loginGuard is the login rate limit. Every password comparison is
// reserved first, atomically, from three buckets (see the README, "Sign-in
// limits"):
//
//   - the account at this address: limit attempts per window, the window
//     doubling each time it fills up again (up to 64 times), emptied by a
//     successful sign-in;
//   - the address, over every name: five times limit per window;
//   - the account from addresses it has not signed in from before: limit
//     per window. Addresses the account signed in from in the last
//     knownFor are exempt, so that a stranger who fills this bucket
//     cannot lock the owner out; a guesser elsewhere gets no more
//     comparisons than limit per window.
type loginGuard struct {
	lim     server.LoginLimiter
	limit   int
	window  time.Duration
	now     func() time.Time
	compare func(hash, password []byte) error
}

// knownFor is how long an address an account signed in from stays exempt
// from the account's bucket for strangers.
const knownFor = 90 * 24 * time.Hour

// authenticate checks a user name and password against the store under
// the login rate limit: the attempt is reserved before the password is
// compared, so parallel requests cannot beat it.
func authenticate(ctx context.Context, users server.UserStore, g *loginGuard, name, password, ip string) (*server.User, error) {
	lname := strings.ToLower(name)
	pairKey, knownKey := "p:"+lname+"\n"+ip, "k:"+lname+"\n"+ip
	now := g.now()
	known, err := g.lim.Known(ctx, knownKey, now)
	if err != nil {
		return nil, err
	}
	buckets := []server.LimitBucket{
		{Key: pairKey, Max: g.limit, Window: g.window, Grow: true},
		{Key: "ip:" + ip, Max: 5 * g.limit, Window: g.window},
	}
	if !known {
		buckets = append(buckets, server.LimitBucket{Key: "u:" + lname, Max: g.limit, Window: g.window})
	}
	ok, retry, err := g.lim.Reserve(ctx, buckets, now)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, &server.Error{Code: server.ETOOMANY, Message: "Too many failed sign-ins; try again later.", Details: retryAfter{retry.Sub(now)}}
	}
	u, err := users.FindUserByName(ctx, name)
	if err != nil && server.ErrorCode(err) != server.ENOTFOUND {
		return nil, err
	}
	var hash []byte
	if u != nil {
		hash = u.PasswordHash
	} else {
		hash = dummyHash()
	}
	if g.compare(hash, []byte(password)) != nil || u == nil {
		return nil, server.Errorf(server.EUNAUTHORIZED, "Wrong user name or password.")
	}
	if u.Disabled {
		return nil, server.Errorf(server.EUNAUTHORIZED, "This account is disabled.")
	}
	// A success is no failure: the account's bucket at this address
	// empties, and the address's and the account's shared buckets get
	// their attempt back, so that many people behind one address (or one
	// person on the road) are not counted against each other.
	if err := g.lim.Reset(ctx, pairKey); err != nil {
		return nil, err
	}
	for _, b := range buckets[1:] {
		if err := g.lim.Release(ctx, b.Key); err != nil {
			return nil, err
		}
	}
	if err := g.lim.Remember(ctx, knownKey, now.Add(knownFor)); err != nil {
		return nil, err
	}
	if err := users.SetLastLogin(ctx, u.ID, now); err != nil {
		return nil, err
	}
	return u, nil
}

// retryAfter is the Details of a rate-limited sign-in: how long to wait.
type retryAfter struct{ d time.Duration }

func (r retryAfter) MarshalJSON() ([]byte, error) {
	return []byte(fmt.Sprintf(`{"retry_after":%d}`, int(r.d.Seconds()+0.999))), nil
}

// bindJSON decodes the body strictly into v; malformed JSON is EMALFORMED.
func bindJSON(c echo.Context, v any) error {
	if err := decodeStrict(c.Request().Body, v); err != nil {
		return err
	}
	return nil
}

func handleLogin(users server.UserStore, is *issuer, g *loginGuard, m *Metrics) echo.HandlerFunc {
	type request struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}
	return func(c echo.Context) error {
		var req request
		if err := bindJSON(c, &req); err != nil {
			return err
		}
		if req.Username == "" || req.Password == "" {
			return server.Errorf(server.EINVALID, "username and password are required.")
		}
		u, err := authenticate(c.Request().Context(), users, g, req.Username, req.Password, c.RealIP())
		if err != nil {
			m.loginFailures.Add(1)
			return err
		}
		resp, err := is.issue(c.Request().Context(), u, "")
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, resp)
	}
}

func handleRefresh(users server.UserStore, is *issuer) echo.HandlerFunc {
	type request struct {
		RefreshToken string `json:"refresh_token"`
	}
	return func(c echo.Context) error {
		var req request
		if err := bindJSON(c, &req); err != nil {
			return err
		}
		if req.RefreshToken == "" {
			return server.Errorf(server.EINVALID, "refresh_token is required.")
		}
		ctx := c.Request().Context()
		t, err := users.UseRefreshToken(ctx, hashToken(req.RefreshToken), is.now())
		if server.ErrorCode(err) == server.ECONFLICT {
			return server.Errorf(server.EUNAUTHORIZED, "This refresh token was used before; every token of its session is revoked. Sign in again.")
		} else if err != nil {
			return err
		}
		u, err := users.FindUserByID(ctx, t.UserID)
		if server.ErrorCode(err) == server.ENOTFOUND {
			return server.Errorf(server.EUNAUTHORIZED, "The account no longer exists.")
		} else if err != nil {
			return err
		}
		// A family signed in before the account was disabled or changed
		// (or by an account whose id this one somehow got) ends.
		if u.Disabled || t.Stamp == "" || t.Stamp != u.Stamp {
			if err := users.RevokeFamily(ctx, t.Family); err != nil {
				return err
			}
			return server.Errorf(server.EUNAUTHORIZED, "The account was disabled or changed; sign in again.")
		}
		resp, err := is.issue(ctx, u, t.Family)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, resp)
	}
}

func handleLogout(users server.UserStore, now func() time.Time) echo.HandlerFunc {
	type request struct {
		RefreshToken string `json:"refresh_token"`
	}
	return func(c echo.Context) error {
		var req request
		if err := bindJSON(c, &req); err != nil {
			return err
		}
		ctx := c.Request().Context()
		if t, err := users.UseRefreshToken(ctx, hashToken(req.RefreshToken), now()); err == nil {
			if err := users.RevokeFamily(ctx, t.Family); err != nil {
				return err
			}
		} else if code := server.ErrorCode(err); code == server.EINTERNAL {
			return err
		}
		return c.NoContent(http.StatusNoContent)
	}
}
