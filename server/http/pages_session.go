package http

import (
	"crypto/hmac"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/postvakt/postvakt/server"
)

// Page sessions and CSRF: signing in and out, the session cookie, the
// checks every page request passes.

const (
	sessionCookie = "postvakt_session"
	sessionTTL    = 8 * time.Hour
)

// requireSession accepts requests with a valid session cookie whose
// session is still open on the server (signing out deletes it; a change
// to the account ends all of them) and whose account may still act.
func (s *Server) requireSession(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		cl, err := s.session(c)
		if err != nil {
			return err
		}
		c.Set(claimsKey, cl)
		return next(c)
	}
}

// session returns the claims of the request's open page session.
func (s *Server) session(c echo.Context) (*Claims, error) {
	ck, err := c.Cookie(sessionCookie)
	if err != nil {
		return nil, server.Errorf(server.EUNAUTHORIZED, "Logg inn først.")
	}
	now := s.cfg.Now()
	cl, err := s.cfg.Keys.parse(ck.Value, AudienceWeb, now)
	if err != nil || cl.SID == "" {
		return nil, server.Errorf(server.EUNAUTHORIZED, "Økten er utløpt. Logg inn på nytt.")
	}
	ctx := c.Request().Context()
	se, err := s.cfg.Users.FindSession(ctx, hashToken(cl.SID), now)
	if server.ErrorCode(err) == server.EUNAUTHORIZED || (err == nil && se.UserID != cl.UserID()) {
		return nil, server.Errorf(server.EUNAUTHORIZED, "Økten er avsluttet. Logg inn på nytt.")
	} else if err != nil {
		return nil, err
	}
	if err := s.accounts.check(ctx, cl); server.ErrorCode(err) == server.EUNAUTHORIZED {
		return nil, server.Errorf(server.EUNAUTHORIZED, "Kontoen er endret eller deaktivert. Logg inn på nytt.")
	} else if err != nil {
		return nil, err
	}
	return cl, nil
}

// sameOrigin refuses a state-changing request from another origin.
func sameOrigin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			if o := r.Header.Get("Origin"); o != "" {
				u, err := url.Parse(o)
				if err != nil || u.Host != r.Host {
					return server.Errorf(server.EFORBIDDEN, "Forespørselen kom fra et annet nettsted.")
				}
			}
		}
		return next(c)
	}
}

// checkCSRF requires the session's CSRF token in the form.
func (s *Server) checkCSRF(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		cl := claimsOf(c)
		want := s.cfg.Keys.csrfToken(cl.SID)
		if !hmac.Equal([]byte(c.FormValue("csrf")), []byte(want)) {
			return server.Errorf(server.EFORBIDDEN, "Skjemaet er utløpt eller ugyldig (CSRF). Last siden på nytt og prøv igjen.")
		}
		return next(c)
	}
}

// sessionRoutes registers routes behind the session middleware.
type sessionRoutes struct {
	e  *echo.Echo
	mw []echo.MiddlewareFunc
}

func (g sessionRoutes) GET(path string, h echo.HandlerFunc, mw ...echo.MiddlewareFunc) {
	g.e.GET(path, h, append(slices.Clone(g.mw), mw...)...)
}

func (g sessionRoutes) POST(path string, h echo.HandlerFunc, mw ...echo.MiddlewareFunc) {
	g.e.POST(path, h, append(slices.Clone(g.mw), mw...)...)
}

func (s *Server) handleHome() echo.HandlerFunc {
	return func(c echo.Context) error {
		cl, err := s.session(c)
		if err != nil {
			return c.Redirect(http.StatusSeeOther, "/login")
		}
		c.Set(claimsKey, cl)
		if cl.HasRole(server.RoleAdmin) {
			return c.Redirect(http.StatusSeeOther, "/admin")
		}
		if cl.HasRole(server.RoleCompliance) {
			return c.Redirect(http.StatusSeeOther, "/compliance")
		}
		if cl.HasRole(server.RoleArkiv) {
			return c.Redirect(http.StatusSeeOther, "/journal")
		}
		return s.render(c, http.StatusForbidden, "error", page{Title: "Ingen tilgang", Data: "Sidene er for administratorer og arkiv/personvern. Kontrollen av innlegg skjer i nettleserutvidelsen."})
	}
}

// localPath keeps a redirect target on this site: an absolute path with
// no scheme or host, no backslash and no control character (browsers
// drop tabs and newlines from URLs, so "/\t/evil.example" would become
// "//evil.example", and read "\" as "/"). Anything else becomes "/".
func localPath(p string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.ContainsRune(p, '\\') {
		return "/"
	}
	for _, r := range p {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return "/"
		}
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") {
		return "/"
	}
	return p
}

func (s *Server) handleLoginPage() echo.HandlerFunc {
	return func(c echo.Context) error {
		return s.render(c, http.StatusOK, "login", page{Title: "Logg inn", Data: localPath(c.QueryParam("next"))})
	}
}

func (s *Server) handleLoginSubmit() echo.HandlerFunc {
	return func(c echo.Context) error {
		next := localPath(c.FormValue("next"))
		u, err := authenticate(c.Request().Context(), s.cfg.Users, s.logins,
			c.FormValue("username"), c.FormValue("password"), c.RealIP())
		if err != nil {
			s.metrics.loginFailures.Add(1)
			msg, status := "Feil brukernavn eller passord.", http.StatusUnauthorized
			if server.ErrorCode(err) == server.ETOOMANY {
				msg, status = "For mange mislykkede forsøk. Vent litt og prøv igjen.", http.StatusTooManyRequests
				secs := 60
				var pe *server.Error
				if errors.As(err, &pe) {
					if ra, ok := pe.Details.(retryAfter); ok {
						secs = max(1, int(ra.d.Seconds()+0.999))
					}
				}
				c.Response().Header().Set("Retry-After", strconv.Itoa(secs))
			} else if server.ErrorCode(err) == server.EINTERNAL {
				return err
			}
			return s.render(c, status, "login", page{Title: "Logg inn", Error: msg, Data: next})
		}
		if err := s.startSession(c, u); err != nil {
			return err
		}
		if next == "/" || next == "/login" {
			next = "/"
		}
		return c.Redirect(http.StatusSeeOther, next)
	}
}

// startSession opens a page session for u and sets its cookie.
func (s *Server) startSession(c echo.Context, u *server.User) error {
	now := s.cfg.Now()
	cl := newClaims(u, AudienceWeb, now, sessionTTL)
	cl.SID = randomToken()
	tok, err := s.cfg.Keys.sign(cl)
	if err != nil {
		return err
	}
	if err := s.cfg.Users.CreateSession(c.Request().Context(), &server.Session{Hash: hashToken(cl.SID), UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(sessionTTL)}); err != nil {
		return err
	}
	c.SetCookie(&http.Cookie{Name: sessionCookie, Value: tok, Path: "/", HttpOnly: true, Secure: s.cfg.SecureCookies,
		SameSite: http.SameSiteStrictMode, MaxAge: int(sessionTTL / time.Second)})
	return nil
}

func (s *Server) handleLogoutPage() echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := s.cfg.Users.DeleteSession(c.Request().Context(), hashToken(claimsOf(c).SID)); err != nil {
			return err
		}
		c.SetCookie(&http.Cookie{Name: sessionCookie, Value: "", Path: "/", HttpOnly: true, Secure: s.cfg.SecureCookies,
			SameSite: http.SameSiteStrictMode, MaxAge: -1})
		return c.Redirect(http.StatusSeeOther, "/login")
	}
}
