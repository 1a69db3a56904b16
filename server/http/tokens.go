package http

import (
	"context"
	"crypto/rand"
	"encoding/base64"
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
		Hash: hashToken(refresh), Family: family, UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(is.refreshTTL),
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

// loginGuard is the login rate limit: a name with limit failures in the
// window, or an address with five times as many, is refused.
type loginGuard struct {
	lim    server.LoginLimiter
	limit  int
	window time.Duration
	now    func() time.Time
}

// authenticate checks a user name and password against the store with
// the login rate limit, which refuses before the password is even
// compared.
func authenticate(ctx context.Context, users server.UserStore, g *loginGuard, name, password, ip string) (*server.User, error) {
	nameKey, ipKey := "u:"+strings.ToLower(name), "ip:"+ip
	now := g.now()
	for _, k := range []struct {
		key string
		max int
	}{{nameKey, g.limit}, {ipKey, 5 * g.limit}} {
		blocked, err := g.lim.Blocked(ctx, k.key, k.max, now)
		if err != nil {
			return nil, err
		}
		if blocked {
			return nil, server.Errorf(server.ETOOMANY, "Too many failed sign-ins; try again later.")
		}
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
	if bcrypt.CompareHashAndPassword(hash, []byte(password)) != nil || u == nil {
		if err := g.lim.Fail(ctx, nameKey, g.window, now); err != nil {
			return nil, err
		}
		if err := g.lim.Fail(ctx, ipKey, g.window, now); err != nil {
			return nil, err
		}
		return nil, server.Errorf(server.EUNAUTHORIZED, "Wrong user name or password.")
	}
	if err := g.lim.Clear(ctx, nameKey); err != nil {
		return nil, err
	}
	return u, nil
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
