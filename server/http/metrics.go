package http

import (
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
)

// Metrics are the server's counters, written in the Prometheus text format
// by hand (there are few, and no client library is needed). Labels are
// route templates and codes, never user input.
type Metrics struct {
	mu       sync.Mutex
	requests map[reqKey]*reqStat

	auditAccepted   atomic.Int64
	auditDuplicates atomic.Int64
	loginFailures   atomic.Int64
	sseClients      atomic.Int64
	published       atomic.Int64
}

type reqKey struct {
	method, route string
	status        int
}

type reqStat struct {
	n   int64
	sum float64
}

// NewMetrics returns zeroed metrics.
func NewMetrics() *Metrics { return &Metrics{requests: map[reqKey]*reqStat{}} }

func (m *Metrics) observe(method, route string, status int, d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := reqKey{method, route, status}
	st := m.requests[k]
	if st == nil {
		st = &reqStat{}
		m.requests[k] = st
	}
	st.n++
	st.sum += d.Seconds()
}

// Write writes every metric in the Prometheus text format.
func (m *Metrics) Write(w io.Writer) {
	m.mu.Lock()
	keys := make([]reqKey, 0, len(m.requests))
	for k := range m.requests {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.route != b.route {
			return a.route < b.route
		}
		if a.method != b.method {
			return a.method < b.method
		}
		return a.status < b.status
	})
	fmt.Fprintln(w, "# HELP postvakt_http_requests_total HTTP requests by method, route and status.")
	fmt.Fprintln(w, "# TYPE postvakt_http_requests_total counter")
	for _, k := range keys {
		fmt.Fprintf(w, "postvakt_http_requests_total{method=%q,route=%q,code=\"%d\"} %d\n", k.method, k.route, k.status, m.requests[k].n)
	}
	fmt.Fprintln(w, "# HELP postvakt_http_request_duration_seconds_sum Time spent serving requests.")
	fmt.Fprintln(w, "# TYPE postvakt_http_request_duration_seconds_sum counter")
	for _, k := range keys {
		fmt.Fprintf(w, "postvakt_http_request_duration_seconds_sum{method=%q,route=%q,code=\"%d\"} %s\n", k.method, k.route, k.status, strconv.FormatFloat(m.requests[k].sum, 'g', -1, 64))
	}
	m.mu.Unlock()
	for _, c := range []struct {
		name, help, typ string
		v               int64
	}{
		{"postvakt_audit_entries_accepted_total", "Audit entries stored.", "counter", m.auditAccepted.Load()},
		{"postvakt_audit_entries_duplicate_total", "Audit entries received again and not stored.", "counter", m.auditDuplicates.Load()},
		{"postvakt_login_failures_total", "Failed or rate-limited sign-ins.", "counter", m.loginFailures.Load()},
		{"postvakt_bundle_publications_total", "Bundle versions published by this process.", "counter", m.published.Load()},
		{"postvakt_sse_clients", "Open event streams.", "gauge", m.sseClients.Load()},
	} {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n%s %d\n", c.name, c.help, c.name, c.typ, c.name, c.v)
	}
}

// observe is the middleware that counts and logs requests.
func (s *Server) observe(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		d := time.Since(start)
		route := c.Path()
		if route == "" {
			route = "unmatched"
		}
		status := c.Response().Status
		s.metrics.observe(c.Request().Method, route, status, d)
		// Only the route template is logged: paths and queries can hold
		// user names and filter values.
		s.cfg.Logger.Info("request", "method", c.Request().Method, "route", route, "status", status,
			"duration_ms", float64(d.Microseconds())/1000, "bytes", c.Response().Size)
		return nil
	}
}

func handleMetrics(m *Metrics) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		c.Response().WriteHeader(http.StatusOK)
		m.Write(c.Response())
		return nil
	}
}
