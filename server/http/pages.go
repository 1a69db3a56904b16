package http

import (
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/labstack/echo/v4"
	"github.com/postvakt/postvakt/server"
	"github.com/postvakt/postvakt/server/noark"
	"github.com/postvakt/postvakt/shared/audit"
	"github.com/postvakt/postvakt/shared/draft"
)

// The admin and compliance pages are server-rendered with html/template
// and use no script at all: every action is a form, so they work with a
// keyboard and under a CSP that forbids scripts. Sessions are cookies
// holding a JWT of audience AudienceWeb; every POST carries a CSRF token
// derived from the session id and must come from this origin.

//go:embed templates/*.html templates/parts/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

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
	// Journalføring (pages_journal.go).
	"journalStatus": journalStatus, "platformName": noark.PlatformName, "splitLines": splitLines,
	// skew marks a client time that cannot be right next to the
	// server's received time (audit.ClockSkew).
	"skew": func(r audit.Record) string {
		switch audit.ClockSkew(&r) {
		case audit.SkewFuture:
			return "klokkeavvik: etter mottak"
		case audit.SkewStale:
			return "klokkeavvik: eldre enn køen kan ha holdt den"
		}
		return ""
	},
	"fault": func(f audit.Fault) string {
		kinds := map[string]string{
			audit.FaultEdited: "endret", audit.FaultDeleted: "slettet", audit.FaultChain: "brutt kjede",
			audit.FaultCheckpoint: "kontrollpunkt stemmer ikke", audit.FaultSignature: "ugyldig signatur", audit.FaultOrder: "feil rekkefølge",
			audit.FaultPruned:       "innhold slettet uten sletting etter oppbevaringstiden",
			audit.FaultNoCheckpoint: "ingen signerte kontrollpunkter", audit.FaultUncovered: "oppføringer uten signert kontrollpunkt",
			audit.FaultFork: "avviker fra et kontrollpunkt utenfor databasen", audit.FaultRollback: "loggen er kortere enn et kontrollpunkt utenfor databasen",
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
	audit.ActionCheckpointAlarm: "nettleser meldte avvik i revisjonsloggen",
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
		m[name] = template.Must(template.New(name).Funcs(pageFuncs).Funcs(formFuncs).ParseFS(templateFS, "templates/layout.html", "templates/parts/*.html", n))
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
		rep, err := s.verifyLog(c.Request().Context())
		if err != nil {
			return err
		}
		return s.render(c, http.StatusOK, "verify", page{Title: "Verifisering", Nav: "compliance", Data: rep})
	}
}
