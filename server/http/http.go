// Package http is Postvakt's HTTP layer: the echo server, JWT
// authentication, the JSON API under /api/v1, server-sent events, metrics
// and the server-rendered admin and compliance pages. It speaks to
// storage only through the interfaces of package server.
//
// Every error a handler returns is mapped to a status in one place,
// errorHandler, and reaches API clients as
// {"error": {"code": "...", "message": "..."}}. Logs carry the route, the
// status and timings, never a draft's text, a user name or a password.
//
// # API
//
// The API is under /api/v1. Every request and response body is JSON unless
// said otherwise; every error is {"error": {"code", "message", "details"?}}
// with a code of package server (EMALFORMED 400, EUNAUTHORIZED 401,
// EFORBIDDEN 403, ENOTFOUND 404, ECONFLICT 409, ETOOLARGE 413, EINVALID
// 422, ETOOMANY 429, EINTERNAL 500). Bodies are limited to 1 MiB (bundles
// and checks to 5 MiB). Authenticated routes take
// "Authorization: Bearer ACCESS_TOKEN" (the scheme in any case). Slow
// clients are disconnected (Config.Timeouts).
//
//	POST /auth/login    {"username","password"} → {"access_token","refresh_token","token_type","expires_in","roles","user","unit"}
//	                    Each attempt is reserved before the password is compared: 5 per account
//	                    and address (growing windows), 25 per address, 5 per account from
//	                    addresses it never signed in from, per 15 min → 429 with Retry-After and
//	                    details {"retry_after": seconds}; counted in the store, so across processes.
//	POST /auth/refresh  {"refresh_token"} → the same shape, with a new refresh token; the old
//	                    one is spent, and presenting a spent one revokes the whole session (401).
//	                    A token signed in before the account was disabled or changed is refused.
//	POST /auth/logout   {"refresh_token"} → 204; revokes the session's refresh tokens.
//
// Every token and page session ends, within Config.Revalidate (2 s), when
// its account is disabled or its roles, unit or password change.
//
//	GET  /bundle        any role. The published bundle document (what rules.Parse reads), with
//	                    a strong ETag and X-Postvakt-Version; If-None-Match → 304.
//	GET  /bundle/events any role. text/event-stream: "hello" {"version","etag","crisis"} first,
//	                    then "bundle" {"version","etag"} on every publication and rollback and
//	                    "crisis" {"active","message","team","updated_by","updated_at"} on every
//	                    change; a ": heartbeat" comment every 15 s. Reconnect and resync on "hello".
//	GET  /crisis        any role. The crisis state, as in the "crisis" event.
//	POST /audit         any role. {"entries": [audit.Entry, ...]} (at most 500) →
//	                    {"accepted","duplicates","rejected": [{"index","id","problems"}]}. Entries
//	                    are idempotent by id; user (and unit, when the account has one) come from
//	                    the token; free text is sanitised. Drop rejected entries, retry on 5xx.
//
//	GET  /admin/bundles                    admin. {"published", "versions": [{"version","etag","rules","created_by","created_at","published_at","published"}]}
//	POST /admin/bundles                    admin. Body: a bundle document → 201; 422 EINVALID with
//	                                       details [{"path","rule","message"}] for every validation
//	                                       error or failing example; 409 if the version exists.
//	GET  /admin/bundles/{version}          admin. The stored document.
//	POST /admin/bundles/{version}/publish  admin. Publishes (a rollback when the version was
//	                                       published before) → {..., "rollback"}; pushes "bundle".
//	POST /admin/check                      admin. {"draft", "version"?, "bundle"?, "lang"?} → draft.Report.
//	PUT  /admin/crisis                     admin. {"active","message","team"} → the state; pushes "crisis".
//	GET  /admin/users                      admin. {"users": [{"name","unit","roles","disabled","created_at","last_login"?}]}
//	POST /admin/users/{name}               admin. {"disabled"?, "roles"?, "unit"?} → the account; each change
//	                                       is audited and ends the account's sessions and tokens.
//	POST /admin/users/{name}/reset-password admin. → {"code","expires_at","url"}: a one-time code for /reset.
//
//	GET  /audit                 compliance. Filters from, to (RFC 3339 or YYYY-MM-DD; "to" is
//	                            exclusive, a date includes that day), user, unit, platform, rule,
//	                            action; limit (1–1000, default 100); cursor → {"entries": [audit.Record],
//	                            "next_cursor"?}, newest first.
//	GET  /audit/{seq}           compliance. One record.
//	GET  /audit/export          compliance. format=jsonl (default) or csv, same filters; JSON Lines
//	                            of audit.Record in log order, which `postvakt audit verify` checks.
//	GET  /audit/checkpoints     compliance. {"key_id","public_key","checkpoints": [audit.Checkpoint]}.
//	GET  /audit/verify          compliance. audit.Report: {"ok","entries","size","checkpoints","pruned","faults": [{"kind","position","to"?,"message"}],
//	                            "tree_checkpoints","tree_size","root","anchor"?}; fails without a signed checkpoint, with
//	                            uncovered entries, or when the log does not extend a witness's checkpoint.
//	GET  /audit/checkpoint      any role. The newest signed checkpoint of the log's Merkle tree (a signed note, text/plain).
//	GET  /audit/proof/consistency  any role. old, new (default: the newest) → {"checkpoint","old","new","proof": [base64],"public_key"}.
//	GET  /audit/proof/inclusion    any role. seq, size (default: the newest) → {"checkpoint","seq","size","hash","proof": [base64]}.
//	POST /audit/alarm           any role. {"seen","current","error"}: a browser found the log inconsistent with a
//	                            checkpoint it saw → 202; logged, and appended as a checkpoint_alarm entry.
//
// POST /audit answers also carry "checkpoint": the signed checkpoint covering the batch.
//
//	POST /journal                   staff. A published post for journalføring: {"platform","url","published_at",
//	                                "title"?,"text","case"?,"deadline"?,"comments"?: [{"author","at"?,"text"}]}
//	                                → 201 {"id","comments"}; a post the unit saved before → 200 with "existing"
//	                                and the new comments added. Bad fields → 422 naming them (details: all).
//	POST /journal/{id}/comments     staff of the item's unit. {"comments"} → {"id","added","comments"}; 409
//	                                after the input deadline or once journaled.
//	GET  /journal                   staff (own unit), arkiv, compliance. from, to, status, case, unit, url, limit.
//	GET  /journal/{id}              the same. The item with its comments.
//	GET  /journal/{id}/arkivmelding arkiv, compliance. A zip: arkivmelding.xml (Noark 5) and the thread as
//	                                HTML; audited (journal_exported). POST /journal/export {"ids"} for several.
//	POST /journal/{id}/filed        arkiv, compliance. {"ref"}: journaled under the archive's reference.
//	POST /journal/{id}/hold         arkiv, compliance. {"hold"}: legal hold, kept after the retention period.
//
// A record whose contents were pruned after the retention period (`postvakt
// audit prune`) has "pruned": true and keeps only seq, id, at, action,
// received, digest, prev and hash; it verifies by its stored digest.
//
// Outside the API: /healthz, /readyz, /metrics (Prometheus text; with
// Config.MetricsToken as bearer token, or on an address of its own through
// MetricsHandler), and the pages under /login, /admin, /compliance,
// /journal, /reset and, while the store has no account, /setup.
package http

import (
	"context"
	"crypto/ed25519"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/postvakt/postvakt/server"
	"golang.org/x/crypto/bcrypt"
)

// Config is what NewServer needs. Users, Rules, Audit, Keys, AuditKey and
// Now are required.
type Config struct {
	Users server.UserStore
	Rules server.RuleStore
	Audit server.AuditLog
	// Journal keeps the posts saved for journalføring. When nil, Audit
	// is used if it implements server.JournalStore (both stores do);
	// otherwise the journal routes are not served.
	Journal server.JournalStore
	// Keys signs and verifies access tokens and page sessions.
	Keys *Keys
	// AuditKey is the public key of the audit checkpoints.
	AuditKey ed25519.PublicKey
	// AuditVerify bounds what /audit/verify and the verify page accept
	// (records not covered by a signed checkpoint), and AuditAnchors,
	// when set, returns the checkpoints held outside the database (the
	// witnesses') that the log must extend.
	AuditVerify  server.VerifyOptions
	AuditAnchors func(context.Context) ([]server.Anchor, error)
	// AfterAppend, when set, is called after an ingest appended entries
	// (the witness client sends the new checkpoint on).
	AfterAppend func()
	// ExportWriteTimeout bounds how long an export or a verification may
	// wait for its client to take each page (default 30 s): a client that
	// stops reading is cut off.
	ExportWriteTimeout time.Duration
	// Ready reports whether the stores answer (/readyz).
	Ready func(context.Context) error
	// Now is the clock; tests set it.
	Now    func() time.Time
	Logger *slog.Logger
	// Heartbeat is the interval of SSE heartbeats (default 15 s).
	Heartbeat time.Duration
	// AccessTTL is the lifetime of access tokens (default 15 min),
	// RefreshTTL that of refresh tokens (default 30 days).
	AccessTTL  time.Duration
	RefreshTTL time.Duration
	// LoginLimit is how many sign-in attempts an account may have per
	// LoginWindow (default 5 per 15 min) at one address, and from
	// addresses it never signed in from; an address may make five times
	// as many over all names. See loginGuard.
	LoginLimit  int
	LoginWindow time.Duration
	// Limiter counts sign-in attempts (default: in memory, per process).
	// The stores implement it, so processes that share one share it.
	Limiter server.LoginLimiter
	// SecureCookies marks page session cookies Secure (behind TLS).
	SecureCookies bool
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// the client; without any the peer address is the client. Login rate
	// limits per address depend on it.
	TrustedProxies []*net.IPNet
	// Fanout, when set, carries "bundle" and "crisis" events between the
	// server processes that share the store (PostgreSQL's LISTEN/NOTIFY):
	// a publication or crisis switch is sent through it, and every
	// process, this one included, hears it, drops its cached bundle and
	// tells its own event streams. Without it events stay in this
	// process, which is right for SQLite (one process).
	Fanout server.Fanout
	// MetricsToken is the bearer token GET /metrics requires. When it is
	// empty /metrics is not served by this handler at all; serve
	// MetricsHandler on an address of its own instead.
	MetricsToken string
	// Timeouts are the HTTP server's (see HTTPServer); zero fields take
	// the defaults.
	Timeouts Timeouts
	// Revalidate is how long a user's account state (disabled, roles,
	// password) may be cached before an access token or an open event
	// stream is checked against the store again (default 2 s); changes
	// take effect within it, in every process.
	Revalidate time.Duration
	// ComparePassword compares a bcrypt hash with a password (default
	// bcrypt.CompareHashAndPassword); tests count the comparisons.
	ComparePassword func(hash, password []byte) error
}

// Timeouts bound how long a client may take. A client that sends its
// headers or body too slowly, or reads the answer too slowly, is
// disconnected. Event streams and exports lift the read and write
// deadlines for themselves and bound each write by Write instead.
type Timeouts struct {
	ReadHeader time.Duration // headers (default 10 s)
	Read       time.Duration // the whole request, body included (default 30 s)
	Write      time.Duration // the answer (default 60 s)
	Idle       time.Duration // an idle keep-alive connection (default 120 s)
}

func (t *Timeouts) defaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&t.ReadHeader, 10*time.Second)
	def(&t.Read, 30*time.Second)
	def(&t.Write, 60*time.Second)
	def(&t.Idle, 120*time.Second)
}

// HTTPServer returns an http.Server for s with its timeouts set.
func (s *Server) HTTPServer() *http.Server {
	t := s.cfg.Timeouts
	return &http.Server{
		Handler:           s,
		ReadHeaderTimeout: t.ReadHeader,
		ReadTimeout:       t.Read,
		WriteTimeout:      t.Write,
		IdleTimeout:       t.Idle,
		ErrorLog:          slog.NewLogLogger(s.cfg.Logger.Handler(), slog.LevelWarn),
	}
}

// MetricsHandler serves the metrics in the Prometheus text format without
// authentication, for a listener of its own (postvakt serve
// --metrics-addr) that only the monitoring system can reach.
func (s *Server) MetricsHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		s.metrics.Write(w)
	})
}

// Server bundles the echo instance with the state its handlers share.
type Server struct {
	*echo.Echo
	cfg     Config
	events  *Broker
	notify  *notifier
	metrics *Metrics
	bundles *bundleCache
	engines *engineCache
	logins  *loginGuard
	// accounts checks tokens and sessions against their account.
	accounts *accounts
	// admin makes the admin changes, each with its audit entry.
	admin *server.Admin
	// setup tells whether the first run is still to be done.
	setup *setupState
	// stopListen stops the fan-out listener, when there is one.
	stopListen func()
}

// NewServer returns the server with every route registered. Close it to
// end open event streams before shutting the HTTP server down.
func NewServer(cfg Config) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Heartbeat <= 0 {
		cfg.Heartbeat = 15 * time.Second
	}
	if cfg.AccessTTL <= 0 {
		cfg.AccessTTL = 15 * time.Minute
	}
	if cfg.RefreshTTL <= 0 {
		cfg.RefreshTTL = 30 * 24 * time.Hour
	}
	if cfg.Limiter == nil {
		cfg.Limiter = newMemLimiter()
	}
	if cfg.LoginLimit <= 0 {
		cfg.LoginLimit = 5
	}
	if cfg.LoginWindow <= 0 {
		cfg.LoginWindow = 15 * time.Minute
	}
	cfg.Timeouts.defaults()
	if j, ok := cfg.Audit.(server.JournalStore); ok && cfg.Journal == nil {
		cfg.Journal = j
	}
	if cfg.Revalidate <= 0 {
		cfg.Revalidate = 2 * time.Second
	}
	if cfg.ComparePassword == nil {
		cfg.ComparePassword = bcrypt.CompareHashAndPassword
	}
	if cfg.Ready == nil {
		cfg.Ready = func(context.Context) error { return nil }
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	// Only the peer address is trusted; a proxy in front must be
	// configured explicitly (X-Forwarded-For is forgeable).
	e.IPExtractor = echo.ExtractIPDirect()
	if len(cfg.TrustedProxies) > 0 {
		opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
		for _, n := range cfg.TrustedProxies {
			opts = append(opts, echo.TrustIPRange(n))
		}
		e.IPExtractor = echo.ExtractIPFromXFFHeader(opts...)
	}
	s := &Server{
		Echo:    e,
		cfg:     cfg,
		events:  NewBroker(),
		metrics: NewMetrics(),
		bundles: &bundleCache{rules: cfg.Rules, now: cfg.Now},
		engines: newEngineCache(),
		logins:  &loginGuard{lim: cfg.Limiter, limit: cfg.LoginLimit, window: cfg.LoginWindow, now: cfg.Now, compare: cfg.ComparePassword},
	}
	s.accounts = newAccounts(cfg.Users, cfg.Revalidate)
	s.notify = &notifier{local: s.events, fanout: cfg.Fanout, bundles: s.bundles, rules: cfg.Rules, logger: cfg.Logger}
	s.admin = &server.Admin{Rules: cfg.Rules, Now: cfg.Now,
		Published: func(ctx context.Context, v *server.BundleVersion) {
			s.bundles.set(v)
			s.metrics.published.Add(1)
			s.notify.announce(ctx, Event{Name: "bundle", Data: bundleEvent{Version: v.Version, ETag: v.ETag}})
		},
		CrisisChanged: func(ctx context.Context, cr server.Crisis) {
			s.notify.announce(ctx, Event{Name: "crisis", Data: cr})
		},
	}
	s.setup = &setupState{users: cfg.Users}
	e.HTTPErrorHandler = s.errorHandler
	s.routes()
	if cfg.Fanout != nil {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			cfg.Fanout.Listen(ctx, s.notify.deliver, s.notify.resync)
		}()
		s.stopListen = func() { cancel(); <-done }
	}
	return s
}

// Close stops listening for other processes' events and ends every open
// event stream, so that a graceful shutdown does not wait for them.
func (s *Server) Close() {
	if s.stopListen != nil {
		s.stopListen()
	}
	s.events.Close()
}

// statuses maps error codes to HTTP statuses; this is the only place
// where they are translated.
var statuses = map[string]int{
	server.ECONFLICT:     http.StatusConflict,
	server.EINTERNAL:     http.StatusInternalServerError,
	server.EINVALID:      http.StatusUnprocessableEntity,
	server.EMALFORMED:    http.StatusBadRequest,
	server.ENOTFOUND:     http.StatusNotFound,
	server.EUNAUTHORIZED: http.StatusUnauthorized,
	server.EFORBIDDEN:    http.StatusForbidden,
	server.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	server.ETOOMANY:      http.StatusTooManyRequests,
}

// codes maps the statuses echo itself produces (routing, body limit) to
// error codes.
var codes = map[int]string{
	http.StatusBadRequest:            server.EMALFORMED,
	http.StatusUnauthorized:          server.EUNAUTHORIZED,
	http.StatusForbidden:             server.EFORBIDDEN,
	http.StatusNotFound:              server.ENOTFOUND,
	http.StatusMethodNotAllowed:      server.ENOTFOUND,
	http.StatusRequestEntityTooLarge: server.ETOOLARGE,
	http.StatusUnsupportedMediaType:  server.EMALFORMED,
}

// ErrorResponse is the one error shape of the API.
type ErrorResponse struct {
	Error ErrorBody `json:"error"`
}

// ErrorBody is the inside of ErrorResponse.
type ErrorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Details any    `json:"details,omitempty"`
}

func (s *Server) errorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		code, ok := codes[he.Code]
		if !ok {
			code = server.EINTERNAL
		}
		msg := http.StatusText(he.Code) + "."
		if code == server.EINTERNAL {
			err = he
		} else {
			err = server.Errorf(code, "%s", msg)
		}
	}
	code, msg := server.ErrorCode(err), server.ErrorMessage(err)
	if code == server.EINTERNAL {
		s.cfg.Logger.Error("internal error", "route", c.Path(), "method", c.Request().Method, "err", err.Error())
	}
	status := statuses[code]
	var details any
	var pe *server.Error
	if errors.As(err, &pe) {
		details = pe.Details
	}
	if code == server.ETOOMANY {
		secs := 60
		if ra, ok := details.(retryAfter); ok {
			secs = max(1, int(ra.d.Seconds()+0.999))
		}
		c.Response().Header().Set("Retry-After", strconv.Itoa(secs))
	}
	if isPage(c) {
		s.renderError(c, status, msg)
		return
	}
	if c.Request().Method == http.MethodHead {
		c.NoContent(status)
		return
	}
	c.JSON(status, ErrorResponse{Error: ErrorBody{Code: code, Message: msg, Details: details}})
}

// isPage reports whether the request is for an HTML page rather than the API.
func isPage(c echo.Context) bool {
	p := c.Request().URL.Path
	return p == "/" || p == "/login" || p == "/logout" || p == "/reset" || p == "/setup" || strings.HasPrefix(p, "/admin") || strings.HasPrefix(p, "/compliance") || strings.HasPrefix(p, "/journal")
}
