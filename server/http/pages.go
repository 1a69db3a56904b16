package http

import (
	"crypto/hmac"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/labstack/echo/v4"
	"github.com/postvakt/postvakt/server"
	"github.com/postvakt/postvakt/shared/audit"
	"github.com/postvakt/postvakt/shared/draft"
	"github.com/postvakt/postvakt/shared/engine"
	"github.com/postvakt/postvakt/shared/rules"
)

// The admin and compliance pages are server-rendered with html/template
// and use no script at all: every action is a form, so they work with a
// keyboard and under a CSP that forbids scripts. Sessions are cookies
// holding a JWT of audience AudienceWeb; every POST carries a CSRF token
// derived from the session id and must come from this origin.

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

const (
	sessionCookie = "postvakt_session"
	sessionTTL    = 8 * time.Hour
)

var pageFuncs = template.FuncMap{
	"fmtTime": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format("2006-01-02 15:04 UTC")
	},
	"join":     strings.Join,
	"roleName": roleName,
	"short": func(s string) string {
		if r := []rune(s); len(r) > 80 {
			return string(r[:80]) + "…"
		}
		return s
	},
	"verdict": func(v string) string {
		return map[string]string{"block": "stoppes", "warn": "advarsel", "ok": "i orden"}[v]
	},
	"severity": func(s string) string {
		return map[string]string{"block": "stopper", "warn": "advarer", "info": "informerer"}[s]
	},
	"action": func(a string) string {
		if t, ok := actionNames[a]; ok {
			return t
		}
		return a
	},
	"fragment": fragment,
	"fault": func(f audit.Fault) string {
		kinds := map[string]string{
			audit.FaultEdited: "endret", audit.FaultDeleted: "slettet", audit.FaultChain: "brutt kjede",
			audit.FaultCheckpoint: "kontrollpunkt stemmer ikke", audit.FaultSignature: "ugyldig signatur", audit.FaultOrder: "feil rekkefølge",
			audit.FaultPruned: "innhold slettet uten sletting etter oppbevaringstiden",
		}
		pos := fmt.Sprintf("Posisjon %d", f.Position)
		if f.To > f.Position {
			pos = fmt.Sprintf("Posisjon %d–%d", f.Position, f.To)
		}
		return fmt.Sprintf("%s: %s (%s)", pos, kinds[f.Kind], f.Msg)
	},
}

var actionNames = map[string]string{
	audit.ActionPublished: "publisert", audit.ActionCancelled: "avbrutt", audit.ActionOverridden: "overstyrt",
	audit.ActionBlocked: "stoppet", audit.ActionDropped: "forkastet i nettleseren", audit.ActionBundleCreated: "regelsett lagret", audit.ActionBundlePublished: "regelsett publisert",
	audit.ActionBundleRollback: "regelsett rullet tilbake", audit.ActionCrisisOn: "krisemodus på", audit.ActionCrisisOff: "krisemodus av",
	audit.ActionAuditPruned:     "innhold slettet etter oppbevaringstiden",
	audit.ActionAccountCreated:  "konto opprettet",
	audit.ActionAccountDisabled: "konto deaktivert",
	audit.ActionAccountEnabled:  "konto aktivert",
	audit.ActionAccountRoles:    "roller endret",
	audit.ActionAccountReset:    "engangskode for nytt passord",
	audit.ActionAccountPassword: "nytt passord satt",
}

// fragment returns the part of text a finding covers (UTF-16 offsets).
func fragment(text string, f draft.Finding) string {
	if f.Start < 0 || f.End <= f.Start {
		if f.Image >= 0 {
			return fmt.Sprintf("bilde %d", f.Image+1)
		}
		return "hele innlegget"
	}
	u := utf16.Encode([]rune(text))
	if f.End > len(u) {
		return ""
	}
	return string(utf16.Decode(u[f.Start:f.End]))
}

var pageTemplates = func() map[string]*template.Template {
	m := map[string]*template.Template{}
	names, _ := fs.Glob(templateFS, "templates/*.html")
	for _, n := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if name == "layout" {
			continue
		}
		m[name] = template.Must(template.New(name).Funcs(pageFuncs).ParseFS(templateFS, "templates/layout.html", n))
	}
	return m
}()

// page is what every template gets.
type page struct {
	Title string
	Nav   string
	User  *Claims
	CSRF  string
	Flash string
	Error string
	Data  any
}

func (s *Server) render(c echo.Context, status int, name string, p page) error {
	if cl := claimsOf(c); cl != nil {
		p.User = cl
		p.CSRF = s.cfg.Keys.csrfToken(cl.SID)
	}
	h := c.Response().Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	c.Response().WriteHeader(status)
	return pageTemplates[name].ExecuteTemplate(c.Response(), "layout", p)
}

func (s *Server) renderError(c echo.Context, status int, msg string) {
	titles := map[int]string{401: "Ikke innlogget", 403: "Ingen tilgang", 404: "Finnes ikke", 413: "For stor forespørsel", 429: "For mange forsøk"}
	t, ok := titles[status]
	if !ok {
		t = "Noe gikk galt"
	}
	if status == http.StatusUnauthorized && c.Request().Method == http.MethodGet {
		c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request().URL.RequestURI()))
		return
	}
	s.render(c, status, "error", page{Title: t, Data: msg})
}

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

func (s *Server) pageRoutes() {
	e, cfg := s.Echo, s.cfg
	e.GET("/static/*", echo.WrapHandler(http.FileServerFS(staticFS)))
	e.GET("/", s.handleHome())
	e.GET("/login", s.handleLoginPage())
	e.POST("/login", s.handleLoginSubmit(), bodyLimit(smallBody), sameOrigin)

	// Not e.Group("", ...): a group with middleware also answers every
	// unknown path, which would turn API 404s into page redirects.
	sess := sessionRoutes{e: e, mw: []echo.MiddlewareFunc{sameOrigin, s.requireSession}}
	post := []echo.MiddlewareFunc{bodyLimit(smallBody), s.checkCSRF}
	sess.POST("/logout", s.handleLogoutPage(), post...)

	admin := requireRole(server.RoleAdmin)
	sess.GET("/admin", s.handleAdminPage(), admin)
	sess.GET("/admin/bundles/new", s.handleBundleNewPage(), admin)
	sess.POST("/admin/bundles", s.handleBundleCreatePage(), bodyLimit(bundleBody), admin, s.checkCSRF)
	sess.POST("/admin/bundles/try", s.handleBundleTryPage(), bodyLimit(bundleBody), admin, s.checkCSRF)
	sess.GET("/admin/bundles/:version", s.handleBundleViewPage(), admin)
	sess.POST("/admin/bundles/:version/publish", s.handleBundlePublishPage(), append(post, admin)...)
	sess.POST("/admin/crisis", s.handleCrisisPage(), append(post, admin)...)
	sess.GET("/admin/test", s.handleTestPage(), admin)
	sess.POST("/admin/test", s.handleTestPage(), bodyLimit(bundleBody), admin, s.checkCSRF)

	sess.GET("/admin/accounts", s.handleAccountsPage(), admin)
	for _, what := range []string{"disable", "enable", "roles", "reset"} {
		sess.POST("/admin/accounts/:name/"+what, s.handleAccountChange(what), append(post, admin)...)
	}
	e.GET("/reset", s.handleResetPage())
	e.POST("/reset", s.handleResetSubmit(), bodyLimit(smallBody), sameOrigin)

	comp := requireRole(server.RoleCompliance)
	sess.GET("/compliance", s.handleCompliancePage(), comp)
	sess.GET("/compliance/entries/:seq", s.handleEntryPage(), comp)
	sess.GET("/compliance/export", func(c echo.Context) error { return exportAudit(c, cfg.Audit, cfg.Now()) }, comp)
	sess.GET("/compliance/verify", s.handleVerifyPage(), comp)
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
		if next == "/" || next == "/login" {
			next = "/"
		}
		return c.Redirect(http.StatusSeeOther, next)
	}
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

func (s *Server) handleAdminPage() echo.HandlerFunc {
	type data struct {
		Published string
		Versions  []bundleInfo
		Crisis    server.Crisis
	}
	return func(c echo.Context) error {
		ctx := c.Request().Context()
		list, err := s.cfg.Rules.ListBundles(ctx)
		if err != nil {
			return err
		}
		var d data
		if p, err := s.cfg.Rules.Published(ctx); err == nil {
			d.Published = p.Version
		}
		for _, v := range list {
			d.Versions = append(d.Versions, infoOf(v, d.Published))
		}
		if d.Crisis, err = s.cfg.Rules.Crisis(ctx); err != nil {
			return err
		}
		flash := ""
		switch c.QueryParam("msg") {
		case "created":
			flash = "Versjon " + c.QueryParam("v") + " er lagret. Den er ikke publisert ennå."
		case "published":
			flash = "Versjon " + c.QueryParam("v") + " er publisert og sendes til alle nettlesere nå."
		case "rollback":
			flash = "Rullet tilbake til versjon " + c.QueryParam("v") + "."
		case "crisis":
			flash = "Krisemodus er lagret."
		}
		return s.render(c, http.StatusOK, "admin", page{Title: "Regelsett", Nav: "admin", Flash: flash, Data: d})
	}
}

type bundleForm struct {
	JSON     string
	Problems []lineProblem
	// Sample and Report are the editor's try-out: a text checked with the
	// unsaved draft.
	Sample string
	Report *draft.Report
}

// lineProblem is a problem with the editor line its path is on (0: unknown).
type lineProblem struct {
	Problem
	Line int
}

func (s *Server) handleBundleNewPage() echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx := c.Request().Context()
		var v *server.BundleVersion
		var err error
		if from := c.QueryParam("from"); from != "" {
			v, err = s.cfg.Rules.FindBundle(ctx, from)
		} else {
			v, err = s.cfg.Rules.Published(ctx)
		}
		if err != nil {
			return err
		}
		list, err := s.cfg.Rules.ListBundles(ctx)
		if err != nil {
			return err
		}
		text := string(v.JSON)
		// Offer the next version name; the rest of the document is kept
		// as it was, key order included.
		if b, err := rules.Parse(v.JSON); err == nil {
			old, _ := jsonString(b.Version)
			nv, _ := jsonString(server.NextVersion(s.cfg.Now(), list))
			text = strings.Replace(text, `"version": `+old, `"version": `+nv, 1)
			text = strings.Replace(text, `"version":`+old, `"version":`+nv, 1)
		}
		return s.render(c, http.StatusOK, "bundle_new", page{Title: "Ny versjon", Nav: "admin", Data: bundleForm{JSON: text}})
	}
}

func (s *Server) handleBundleCreatePage() echo.HandlerFunc {
	return func(c echo.Context) error {
		text := c.FormValue("bundle")
		v, err := s.admin.CreateBundle(c.Request().Context(), actorOf(claimsOf(c)), []byte(text))
		if err != nil {
			return s.renderBundleErrors(c, bundleForm{JSON: text, Sample: c.FormValue("sample")}, err, "Regelsettet ble ikke lagret")
		}
		return c.Redirect(http.StatusSeeOther, "/admin?msg=created&v="+url.QueryEscape(v.Version))
	}
}

// renderBundleErrors shows the editor again with err's problems, each
// with its line.
func (s *Server) renderBundleErrors(c echo.Context, form bundleForm, err error, what string) error {
	if server.ErrorCode(err) == server.EINTERNAL {
		return err
	}
	var pe *server.Error
	if errors.As(err, &pe) {
		if ps, ok := pe.Details.([]Problem); ok {
			lines := jsonLines([]byte(form.JSON))
			for _, p := range ps {
				form.Problems = append(form.Problems, lineProblem{p, lineOf(lines, p.Path)})
			}
		}
	}
	msg := what + ": " + server.ErrorMessage(err)
	if len(form.Problems) > 0 {
		msg = fmt.Sprintf("%s: %d feil.", what, len(form.Problems))
	}
	return s.render(c, http.StatusUnprocessableEntity, "bundle_new", page{Title: "Ny versjon", Nav: "admin", Error: msg, Data: form})
}

// handleBundleTryPage checks the sample text with the unsaved draft. The
// draft must be valid; its own examples need not pass yet.
func (s *Server) handleBundleTryPage() echo.HandlerFunc {
	return func(c echo.Context) error {
		form := bundleForm{JSON: c.FormValue("bundle"), Sample: c.FormValue("sample")}
		b, err := rules.Parse([]byte(form.JSON))
		if err != nil {
			_, _, perr := PrepareBundle([]byte(form.JSON))
			if perr == nil {
				perr = server.Errorf(server.EINVALID, "%v", err)
			}
			return s.renderBundleErrors(c, form, perr, "Utkastet kan ikke prøves")
		}
		e, err := engine.New(b)
		if err != nil {
			return s.renderBundleErrors(c, form, server.Errorf(server.EINVALID, "%v", err), "Utkastet kan ikke prøves")
		}
		cl := claimsOf(c)
		rep, err := runEngine(c.Request().Context(), s.cfg.Rules, e, s.cfg.Now(),
			draft.Draft{ID: "prøve", Text: form.Sample, Platform: "facebook", Kind: "post", User: cl.Name, Unit: cl.Unit}, "nb")
		if err != nil {
			return err
		}
		form.Report = &rep
		return s.render(c, http.StatusOK, "bundle_new", page{Title: "Ny versjon", Nav: "admin", Data: form})
	}
}

func (s *Server) handleBundleViewPage() echo.HandlerFunc {
	type data struct {
		Version *server.BundleVersion
		Others  []string
		Against string
		Diff    []diffLine
		TooBig  bool
	}
	return func(c echo.Context) error {
		ctx := c.Request().Context()
		v, err := s.cfg.Rules.FindBundle(ctx, c.Param("version"))
		if err != nil {
			return err
		}
		list, err := s.cfg.Rules.ListBundles(ctx)
		if err != nil {
			return err
		}
		d := data{Version: v}
		for i, o := range list {
			if o.Version == v.Version {
				if i+1 < len(list) && d.Against == "" {
					d.Against = list[i+1].Version
				}
				continue
			}
			d.Others = append(d.Others, o.Version)
		}
		if q := c.QueryParam("diff"); q != "" {
			d.Against = q
		}
		if d.Against != "" {
			o, err := s.cfg.Rules.FindBundle(ctx, d.Against)
			if err != nil {
				return err
			}
			d.Diff, d.TooBig = diffLines(string(o.JSON), string(v.JSON))
		}
		return s.render(c, http.StatusOK, "bundle_view", page{Title: "Regelsett " + v.Version, Nav: "admin", Data: d})
	}
}

func (s *Server) handleBundlePublishPage() echo.HandlerFunc {
	return func(c echo.Context) error {
		v, rollback, err := s.admin.Publish(c.Request().Context(), actorOf(claimsOf(c)), c.Param("version"))
		if err != nil {
			return err
		}
		msg := "published"
		if rollback {
			msg = "rollback"
		}
		return c.Redirect(http.StatusSeeOther, "/admin?msg="+msg+"&v="+url.QueryEscape(v.Version))
	}
}

func (s *Server) handleCrisisPage() echo.HandlerFunc {
	return func(c echo.Context) error {
		req := crisisRequest{Active: c.FormValue("active") == "on", Message: c.FormValue("message")}
		for _, m := range strings.Split(c.FormValue("team"), "\n") {
			if m = strings.TrimSpace(m); m != "" {
				req.Team = append(req.Team, m)
			}
		}
		if _, err := setCrisis(c.Request().Context(), s.admin, claimsOf(c), req); err != nil {
			return err
		}
		return c.Redirect(http.StatusSeeOther, "/admin?msg=crisis")
	}
}

func (s *Server) handleTestPage() echo.HandlerFunc {
	type data struct {
		Text, Version, Platform, Kind string
		Versions, Platforms, Kinds    []string
		Report                        *draft.Report
	}
	return func(c echo.Context) error {
		ctx := c.Request().Context()
		list, err := s.cfg.Rules.ListBundles(ctx)
		if err != nil {
			return err
		}
		d := data{Platforms: audit.Platforms[:len(audit.Platforms)-1], Kinds: []string{"post", "reply", "message"}, Platform: "facebook", Kind: "post"}
		for _, v := range list {
			d.Versions = append(d.Versions, v.Version)
		}
		if p, err := s.cfg.Rules.Published(ctx); err == nil {
			d.Version = p.Version
		}
		p := page{Title: "Test regelsettet", Nav: "test"}
		if c.Request().Method == http.MethodPost {
			d.Text, d.Version = c.FormValue("text"), c.FormValue("version")
			if pl := c.FormValue("platform"); slices.Contains(d.Platforms, pl) {
				d.Platform = pl
			}
			if k := c.FormValue("kind"); slices.Contains(d.Kinds, k) {
				d.Kind = k
			}
			rep, err := checkDraft(ctx, s.cfg.Rules, s.engines, s.cfg.Now(),
				draft.Draft{ID: "test", Text: d.Text, Platform: d.Platform, Kind: d.Kind, User: claimsOf(c).Name, Unit: claimsOf(c).Unit}, d.Version, "nb")
			if err != nil {
				if server.ErrorCode(err) == server.EINTERNAL {
					return err
				}
				p.Error = server.ErrorMessage(err)
			} else {
				d.Report = &rep
			}
		}
		p.Data = d
		return s.render(c, http.StatusOK, "test", p)
	}
}

func (s *Server) handleCompliancePage() echo.HandlerFunc {
	type data struct {
		Q           map[string]string
		Query, Next string
		Platforms   []string
		Actions     []string
		Page        auditPage
		Chart       *chart
	}
	return func(c echo.Context) error {
		q := url.Values{}
		d := data{Q: map[string]string{}, Platforms: audit.Platforms, Actions: audit.AllActions}
		for _, k := range []string{"from", "to", "user", "unit", "platform", "rule", "action"} {
			if v := strings.TrimSpace(c.QueryParam(k)); v != "" {
				q.Set(k, v)
				d.Q[k] = v
			}
		}
		d.Query = q.Encode()
		pq := url.Values{}
		for k, v := range q {
			pq[k] = v
		}
		if cur := c.QueryParam("cursor"); cur != "" {
			pq.Set("cursor", cur)
		}
		p := page{Title: "Revisjonslogg", Nav: "compliance"}
		pg, f, err := listAudit(c, s.cfg.Audit, pq, 50)
		if err != nil {
			if server.ErrorCode(err) == server.EINTERNAL {
				return err
			}
			p.Error = server.ErrorMessage(err)
		} else {
			d.Page = pg
			if pg.NextCursor != "" {
				nq := url.Values{}
				for k, v := range q {
					nq[k] = v
				}
				nq.Set("cursor", pg.NextCursor)
				d.Next = nq.Encode()
			}
			f.Before, f.Limit = 0, 0
			weeks, err := s.cfg.Audit.RuleWeeks(c.Request().Context(), f)
			if err != nil {
				return err
			}
			d.Chart = buildChart(weeks)
		}
		p.Data = d
		return s.render(c, http.StatusOK, "compliance", p)
	}
}

func (s *Server) handleEntryPage() echo.HandlerFunc {
	return func(c echo.Context) error {
		seq, err := strconv.ParseInt(c.Param("seq"), 10, 64)
		if err != nil {
			return server.Errorf(server.ENOTFOUND, "Oppføringen finnes ikke.")
		}
		r, err := s.cfg.Audit.Get(c.Request().Context(), seq)
		if err != nil {
			return err
		}
		return s.render(c, http.StatusOK, "entry", page{Title: fmt.Sprintf("Oppføring %d", seq), Nav: "compliance", Data: r})
	}
}

func (s *Server) handleVerifyPage() echo.HandlerFunc {
	return func(c echo.Context) error {
		rep, err := server.VerifyLog(c.Request().Context(), s.cfg.Audit, s.cfg.AuditKey)
		if err != nil {
			return err
		}
		return s.render(c, http.StatusOK, "verify", page{Title: "Verifisering", Nav: "compliance", Data: rep})
	}
}
