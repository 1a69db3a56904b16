package http

import (
	"context"
	"crypto/subtle"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/postvakt/postvakt/server"
)

// Body limits. A bundle may be up to rules.MaxBundleSize (4 MiB); every
// other request is small.
const (
	smallBody  = 1 << 20
	bundleBody = 5 << 20
)

// routes registers every route of the server; it is the one place to see
// what is served and behind which middleware.
func (s *Server) routes() {
	cfg := s.cfg
	e := s.Echo
	e.Use(s.observe, securityHeaders, extensionCORS())

	e.GET("/healthz", handleHealthz())
	e.GET("/readyz", handleReadyz(cfg.Ready, s.bundles))
	if cfg.MetricsToken != "" {
		e.GET("/metrics", handleMetrics(s.metrics), requireStatic(cfg.MetricsToken))
	}

	is := &issuer{keys: cfg.Keys, users: cfg.Users, now: cfg.Now, accessTTL: cfg.AccessTTL, refreshTTL: cfg.RefreshTTL}
	small, big := bodyLimit(smallBody), bodyLimit(bundleBody)
	auth := requireToken(cfg.Keys, cfg.Now, s.accounts)
	admin := requireRole(server.RoleAdmin)
	compliance := requireRole(server.RoleCompliance)

	api := e.Group("/api/v1")
	api.POST("/auth/login", handleLogin(cfg.Users, is, s.logins, s.metrics), small)
	api.POST("/auth/refresh", handleRefresh(cfg.Users, is), small)
	api.POST("/auth/logout", handleLogout(cfg.Users, cfg.Now), small)

	// Any signed-in role.
	api.GET("/bundle", handleBundleGet(s.bundles), auth)
	api.GET("/bundle/events", handleBundleEvents(s.bundles, cfg.Rules, s.events, cfg.Heartbeat, s.metrics, s.accounts, cfg.Revalidate, cfg.Now), auth, longLived(cfg.Timeouts.Write))
	api.GET("/crisis", handleCrisisGet(cfg.Rules), auth)
	api.POST("/audit", handleAuditIngest(cfg.Audit, s.metrics, cfg.Now, cfg.AfterAppend), small, auth)
	api.GET("/audit/checkpoint", handleAuditCheckpoint(cfg.Audit), auth)
	api.GET("/audit/proof/consistency", handleConsistencyProof(cfg.Audit, cfg.AuditKey), auth)
	api.GET("/audit/proof/inclusion", handleInclusionProof(cfg.Audit, cfg.AuditKey), auth)
	api.POST("/audit/alarm", handleAuditAlarm(cfg.Audit, cfg.AuditKey, cfg.Logger, cfg.Now), small, auth)

	// Admin.
	api.GET("/admin/bundles", handleBundleList(cfg.Rules), auth, admin)
	api.POST("/admin/bundles", handleBundleCreate(s.admin), big, auth, admin)
	api.GET("/admin/bundles/:version", handleBundleVersion(cfg.Rules), auth, admin)
	api.POST("/admin/bundles/:version/publish", handleBundlePublish(s.admin), small, auth, admin)
	api.POST("/admin/check", handleAdminCheck(cfg.Rules, s.engines, cfg.Now), big, auth, admin)
	api.PUT("/admin/crisis", handleCrisisPut(s.admin), small, auth, admin)
	api.GET("/admin/users", handleUserList(cfg.Users), auth, admin)
	api.POST("/admin/users/:name", s.handleUserUpdate(), small, auth, admin)
	api.POST("/admin/users/:name/reset-password", s.handleUserReset(), small, auth, admin)

	// Compliance.
	api.GET("/audit", handleAuditList(cfg.Audit), auth, compliance)
	api.GET("/audit/export", handleAuditExport(cfg.Audit, cfg.Now, s.exportTimeout()), auth, compliance)
	api.GET("/audit/verify", handleAuditVerify(s.verifyLog), auth, compliance)
	api.GET("/audit/checkpoints", handleAuditCheckpoints(cfg.Audit, cfg.AuditKey), auth, compliance)
	api.GET("/audit/:seq", handleAuditGet(cfg.Audit), auth, compliance)

	s.journalRoutes(api, auth)
	s.pageRoutes()
}

// bodyLimit refuses bodies over n bytes: at once when Content-Length says
// so, otherwise when reading passes the limit.
func bodyLimit(n int64) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			if r.ContentLength > n {
				return server.Errorf(server.ETOOLARGE, "The body is over the limit of %d bytes.", n)
			}
			r.Body = http.MaxBytesReader(c.Response(), r.Body, n)
			return next(c)
		}
	}
}

// longLived lifts the server's read and write deadlines for a response
// that may rightly take longer than Timeouts.Write (an event stream, an
// export): each write must still finish within write, so a client that
// stops reading is disconnected. The request has no body to read.
func longLived(write time.Duration) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			rc := http.NewResponseController(c.Response().Writer)
			// Errors mean the writer has no deadlines (a test recorder).
			rc.SetReadDeadline(time.Time{})
			rc.SetWriteDeadline(time.Time{})
			c.Response().Writer = &deadlineWriter{ResponseWriter: c.Response().Writer, rc: rc, d: write}
			return next(c)
		}
	}
}

// deadlineWriter sets a write deadline before each write and flush.
type deadlineWriter struct {
	http.ResponseWriter
	rc *http.ResponseController
	d  time.Duration
}

func (w *deadlineWriter) Write(b []byte) (int, error) {
	w.rc.SetWriteDeadline(time.Now().Add(w.d))
	return w.ResponseWriter.Write(b)
}

func (w *deadlineWriter) Flush() {
	w.rc.SetWriteDeadline(time.Now().Add(w.d))
	w.rc.Flush()
}

func (w *deadlineWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// requireStatic accepts requests that carry token as their bearer token.
func requireStatic(token string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			tok, ok := bearer(c.Request())
			if !ok || subtle.ConstantTimeCompare([]byte(tok), []byte(token)) != 1 {
				c.Response().Header().Set("WWW-Authenticate", `Bearer realm="postvakt-metrics"`)
				return server.Errorf(server.EUNAUTHORIZED, "The metrics token is required.")
			}
			return next(c)
		}
	}
}

// extensionCORS lets the browser extension call the API from its service
// worker and offscreen document, whose origin is chrome-extension://ID
// (Chrome and Edge alike). The API authenticates by bearer token only, never
// by cookie, so a cross-origin caller gains nothing it does not already
// hold; the cookie-based pages get no CORS headers at all. ETag and
// X-Postvakt-Version are exposed for bundle revalidation.
func extensionCORS() echo.MiddlewareFunc {
	return middleware.CORSWithConfig(middleware.CORSConfig{
		Skipper: func(c echo.Context) bool { return !strings.HasPrefix(c.Request().URL.Path, "/api/v1/") },
		AllowOriginFunc: func(origin string) (bool, error) {
			return strings.HasPrefix(origin, "chrome-extension://"), nil
		},
		AllowMethods:  []string{http.MethodGet, http.MethodPost, http.MethodPut},
		AllowHeaders:  []string{"Authorization", "Content-Type", "If-None-Match", "Accept"},
		ExposeHeaders: []string{"ETag", "X-Postvakt-Version", "Retry-After"},
		MaxAge:        600,
	})
}

// securityHeaders sets the headers every response should carry. Pages use
// no inline script, so the policy can forbid all scripts.
func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("X-Content-Type-Options", "nosniff")
		// Not no-referrer: with it browsers send "Origin: null" on form
		// posts, and sameOrigin could not tell our own forms from others.
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		return next(c)
	}
}

func handleHealthz() echo.HandlerFunc {
	return func(c echo.Context) error { return c.String(http.StatusOK, "ok\n") }
}

// handleReadyz answers 200 when the stores answer and a bundle is published.
func handleReadyz(ready func(context.Context) error, bundles *bundleCache) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx := c.Request().Context()
		if err := ready(ctx); err != nil {
			return c.String(http.StatusServiceUnavailable, "store not ready\n")
		}
		if _, err := bundles.get(ctx); err != nil {
			return c.String(http.StatusServiceUnavailable, "no published bundle\n")
		}
		return c.String(http.StatusOK, "ready\n")
	}
}

// pageRoutes registers the server-rendered pages (pages*.go).
func (s *Server) pageRoutes() {
	e, cfg := s.Echo, s.cfg
	e.GET("/static/*", echo.WrapHandler(http.FileServerFS(staticFS)))
	// Until the first account exists these lead to /setup.
	first := s.setupFirst
	e.GET("/", s.handleHome(), first)
	e.GET("/login", s.handleLoginPage(), first)
	e.POST("/login", s.handleLoginSubmit(), bodyLimit(smallBody), sameOrigin)

	// The first run: 404 once an account exists.
	e.GET("/setup", s.handleSetupPage(), s.setupOnly)
	e.POST("/setup", s.handleSetupSubmit(), bodyLimit(smallBody), sameOrigin, s.setupOnly)

	// Not e.Group("", ...): a group with middleware also answers every
	// unknown path, which would turn API 404s into page redirects.
	sess := sessionRoutes{e: e, mw: []echo.MiddlewareFunc{sameOrigin, s.requireSession}}
	post := []echo.MiddlewareFunc{bodyLimit(smallBody), s.checkCSRF}
	sess.POST("/logout", s.handleLogoutPage(), post...)

	admin := requireRole(server.RoleAdmin)
	e.GET("/admin", s.handleAdminPage(), first, sameOrigin, s.requireSession, admin)
	sess.GET("/admin/bundles/new", s.handleBundleNewPage(), admin)
	sess.POST("/admin/bundles", s.handleBundleCreatePage(), bodyLimit(bundleBody), admin, s.checkCSRF)
	sess.POST("/admin/bundles/try", s.handleBundleTryPage(), bodyLimit(bundleBody), admin, s.checkCSRF)
	sess.GET("/admin/bundles/:version", s.handleBundleViewPage(), admin)
	sess.POST("/admin/bundles/:version/publish", s.handleBundlePublishPage(), append(post, admin)...)
	sess.POST("/admin/crisis", s.handleCrisisPage(), append(post, admin)...)
	sess.GET("/admin/test", s.handleTestPage(), admin)
	sess.POST("/admin/test", s.handleTestPage(), bodyLimit(bundleBody), admin, s.checkCSRF)

	sess.GET("/admin/profile", s.handleProfilePage(), admin)
	sess.POST("/admin/profile", s.handleProfileSubmit(), append(post, admin)...)

	sess.GET("/admin/rules", s.handleRulesPage(), admin)
	sess.GET("/admin/rules/:id", s.handleRulePage(), admin)
	sess.POST("/admin/rules/:id", s.handleRuleSubmit(), bodyLimit(bundleBody), admin, s.checkCSRF)

	sess.GET("/admin/accounts", s.handleAccountsPage(), admin)
	for _, what := range []string{"disable", "enable", "roles", "reset"} {
		sess.POST("/admin/accounts/:name/"+what, s.handleAccountChange(what), append(post, admin)...)
	}
	e.GET("/reset", s.handleResetPage())
	e.POST("/reset", s.handleResetSubmit(), bodyLimit(smallBody), sameOrigin)

	comp := requireRole(server.RoleCompliance)
	sess.GET("/compliance", s.handleCompliancePage(), comp)
	sess.GET("/compliance/entries/:seq", s.handleEntryPage(), comp)
	sess.GET("/compliance/export", func(c echo.Context) error { return exportAudit(c, cfg.Audit, cfg.Now(), s.exportTimeout()) }, comp)
	sess.GET("/compliance/verify", s.handleVerifyPage(), comp)
}
