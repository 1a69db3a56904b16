package http

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/postvakt/postvakt/server"
	"github.com/postvakt/postvakt/shared/audit"
	"github.com/postvakt/postvakt/shared/draft"
	"github.com/postvakt/postvakt/shared/engine"
	"github.com/postvakt/postvakt/shared/rules"
)

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
		case "setup":
			flash = "Postvakt er satt opp, og du er logget inn. Organisasjonsprofilen er publisert som versjon " + c.QueryParam("v") + ". Neste steg: last inn nettleserutvidelsen og pek den hit (se README)."
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
