package http

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/postvakt/postvakt/server"
	"github.com/postvakt/postvakt/shared/draft"
	"github.com/postvakt/postvakt/shared/engine"
	"github.com/postvakt/postvakt/shared/rules"
)

// bundleCache keeps the published version in memory: GET /bundle is what
// every browser polls. Publishing in this process updates it at once; a
// publication by another process drops it when the fan-out reports it,
// and without a fan-out it is reloaded after a few seconds anyway.
type bundleCache struct {
	rules  server.RuleStore
	now    func() time.Time
	mu     sync.Mutex
	cur    *server.BundleVersion
	loaded time.Time
}

const bundleCacheTTL = 5 * time.Second

func (b *bundleCache) get(ctx context.Context) (*server.BundleVersion, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.cur != nil && time.Since(b.loaded) < bundleCacheTTL {
		return b.cur, nil
	}
	v, err := b.rules.Published(ctx)
	if err != nil {
		return nil, err
	}
	b.cur, b.loaded = v, time.Now()
	return v, nil
}

// invalidate drops the cached version; the next get reads the store.
func (b *bundleCache) invalidate() {
	b.mu.Lock()
	b.cur = nil
	b.mu.Unlock()
}

func (b *bundleCache) set(v *server.BundleVersion) {
	b.mu.Lock()
	b.cur, b.loaded = v, time.Now()
	b.mu.Unlock()
}

// engineCache keeps compiled engines by version; versions are immutable.
type engineCache struct {
	mu sync.Mutex
	m  map[string]*engine.Engine
}

func newEngineCache() *engineCache { return &engineCache{m: map[string]*engine.Engine{}} }

func (ec *engineCache) get(v *server.BundleVersion) (*engine.Engine, error) {
	ec.mu.Lock()
	defer ec.mu.Unlock()
	if e, ok := ec.m[v.Version]; ok {
		return e, nil
	}
	b, err := rules.Parse(v.JSON)
	if err != nil {
		return nil, err
	}
	e, err := engine.New(b)
	if err != nil {
		return nil, err
	}
	if len(ec.m) >= 16 {
		clear(ec.m)
	}
	ec.m[v.Version] = e
	return e, nil
}

// etagMatch implements If-None-Match (RFC 9110 13.1.2, weak comparison).
func etagMatch(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == etag {
			return true
		}
	}
	return false
}

// handleBundleGet serves the published bundle with its strong ETag.
func handleBundleGet(bundles *bundleCache) echo.HandlerFunc {
	return func(c echo.Context) error {
		v, err := bundles.get(c.Request().Context())
		if err != nil {
			return err
		}
		h := c.Response().Header()
		h.Set("ETag", v.ETag)
		h.Set("Cache-Control", "private, no-cache")
		h.Set("X-Postvakt-Version", v.Version)
		if etagMatch(c.Request().Header.Get("If-None-Match"), v.ETag) {
			return c.NoContent(http.StatusNotModified)
		}
		return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, v.JSON)
	}
}

func handleCrisisGet(rs server.RuleStore) echo.HandlerFunc {
	return func(c echo.Context) error {
		cr, err := rs.Crisis(c.Request().Context())
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, cr)
	}
}

// bundleInfo describes a version in listings.
type bundleInfo struct {
	Version     string    `json:"version"`
	ETag        string    `json:"etag"`
	Rules       int       `json:"rules"`
	CreatedBy   string    `json:"created_by"`
	CreatedAt   time.Time `json:"created_at"`
	PublishedAt time.Time `json:"published_at,omitzero"`
	Published   bool      `json:"published"`
}

func infoOf(v *server.BundleVersion, published string) bundleInfo {
	return bundleInfo{Version: v.Version, ETag: v.ETag, Rules: v.Rules, CreatedBy: v.CreatedBy,
		CreatedAt: v.CreatedAt, PublishedAt: v.PublishedAt, Published: v.Version == published}
}

func handleBundleList(rs server.RuleStore) echo.HandlerFunc {
	type response struct {
		Published string       `json:"published"`
		Versions  []bundleInfo `json:"versions"`
	}
	return func(c echo.Context) error {
		ctx := c.Request().Context()
		list, err := rs.ListBundles(ctx)
		if err != nil {
			return err
		}
		resp := response{Versions: []bundleInfo{}}
		if p, err := rs.Published(ctx); err == nil {
			resp.Published = p.Version
		} else if server.ErrorCode(err) != server.ENOTFOUND {
			return err
		}
		for _, v := range list {
			resp.Versions = append(resp.Versions, infoOf(v, resp.Published))
		}
		return c.JSON(http.StatusOK, resp)
	}
}

func handleBundleVersion(rs server.RuleStore) echo.HandlerFunc {
	return func(c echo.Context) error {
		v, err := rs.FindBundle(c.Request().Context(), c.Param("version"))
		if err != nil {
			return err
		}
		c.Response().Header().Set("ETag", v.ETag)
		return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, v.JSON)
	}
}

// readBody reads a whole body under the route's limit.
func readBody(c echo.Context) ([]byte, error) {
	data, err := io.ReadAll(c.Request().Body)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, server.Errorf(server.ETOOLARGE, "The body is over the limit of %d bytes.", mbe.Limit)
	}
	return data, err
}

func handleBundleCreate(admin *server.Admin) echo.HandlerFunc {
	return func(c echo.Context) error {
		data, err := readBody(c)
		if err != nil {
			return err
		}
		v, err := admin.CreateBundle(c.Request().Context(), actorOf(claimsOf(c)), data)
		if err != nil {
			return err
		}
		c.Response().Header().Set("Location", "/api/v1/admin/bundles/"+v.Version)
		return c.JSON(http.StatusCreated, infoOf(v, ""))
	}
}

func handleBundlePublish(admin *server.Admin) echo.HandlerFunc {
	type response struct {
		bundleInfo
		Rollback bool `json:"rollback"`
	}
	return func(c echo.Context) error {
		v, rollback, err := admin.Publish(c.Request().Context(), actorOf(claimsOf(c)), c.Param("version"))
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, response{infoOf(v, v.Version), rollback})
	}
}

// checkDraft runs the engine of a stored version (the published one when
// version is empty) with the current crisis state.
func checkDraft(ctx context.Context, rs server.RuleStore, engines *engineCache, now time.Time, d draft.Draft, version, lang string) (draft.Report, error) {
	var v *server.BundleVersion
	var err error
	if version == "" {
		v, err = rs.Published(ctx)
	} else {
		v, err = rs.FindBundle(ctx, version)
	}
	if err != nil {
		return draft.Report{}, err
	}
	e, err := engines.get(v)
	if err != nil {
		return draft.Report{}, err
	}
	return runEngine(ctx, rs, e, now, d, lang)
}

func runEngine(ctx context.Context, rs server.RuleStore, e *engine.Engine, now time.Time, d draft.Draft, lang string) (draft.Report, error) {
	cr, err := rs.Crisis(ctx)
	if err != nil {
		return draft.Report{}, err
	}
	opt := engine.Options{Lang: lang, Now: now}
	if cr.Active {
		opt.Crisis = &engine.Crisis{Active: true, Message: cr.Message, Team: cr.Team}
	}
	return e.Check(d, opt), nil
}

func handleAdminCheck(rs server.RuleStore, engines *engineCache, now func() time.Time) echo.HandlerFunc {
	type request struct {
		Draft   draft.Draft     `json:"draft"`
		Version string          `json:"version,omitempty"`
		Bundle  json.RawMessage `json:"bundle,omitempty"`
		Lang    string          `json:"lang,omitempty"`
	}
	return func(c echo.Context) error {
		var req request
		if err := bindJSON(c, &req); err != nil {
			return err
		}
		if req.Lang != "" && req.Lang != "nb" && req.Lang != "nn" && req.Lang != "en" {
			return server.Errorf(server.EINVALID, "lang must be nb, nn or en.")
		}
		ctx := c.Request().Context()
		var rep draft.Report
		var err error
		if len(req.Bundle) > 0 {
			// An unsaved bundle: check it is valid, but its examples need
			// not pass yet (this is how an admin tries a change out).
			b, perr := rules.Parse(req.Bundle)
			if perr != nil {
				_, _, perr = PrepareBundle(req.Bundle)
				return perr
			}
			e, eerr := engine.New(b)
			if eerr != nil {
				return server.Errorf(server.EINVALID, "%v", eerr)
			}
			rep, err = runEngine(ctx, rs, e, now(), req.Draft, req.Lang)
		} else {
			rep, err = checkDraft(ctx, rs, engines, now(), req.Draft, req.Version, req.Lang)
		}
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, rep)
	}
}

// crisisRequest is the body of PUT /admin/crisis.
type crisisRequest struct {
	Active  bool     `json:"active"`
	Message string   `json:"message"`
	Team    []string `json:"team"`
}

func setCrisis(ctx context.Context, admin *server.Admin, cl *Claims, req crisisRequest) (server.Crisis, error) {
	team := make([]string, 0, len(req.Team))
	for _, m := range req.Team {
		team = append(team, sanitize(m))
	}
	return admin.SetCrisis(ctx, actorOf(cl), req.Active, sanitize(req.Message), team)
}

func handleCrisisPut(admin *server.Admin) echo.HandlerFunc {
	return func(c echo.Context) error {
		var req crisisRequest
		if err := bindJSON(c, &req); err != nil {
			return err
		}
		cr, err := setCrisis(c.Request().Context(), admin, claimsOf(c), req)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, cr)
	}
}
