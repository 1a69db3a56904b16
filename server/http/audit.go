package http

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/postvakt/postvakt/server"
	"github.com/postvakt/postvakt/shared/audit"
)

// rejected is an entry of a batch that was not stored, with why.
type rejected struct {
	Index    int             `json:"index"`
	ID       string          `json:"id"`
	Problems []audit.Problem `json:"problems"`
}

// cleanEntry prepares a client's entry for the log: the user (and the
// unit, when the account has one) come from the token, and every
// free-text field is sanitised.
func cleanEntry(e audit.Entry, cl *Claims) audit.Entry {
	e.User = cl.Name
	if cl.Unit != "" {
		e.Unit = cl.Unit
	}
	e.Unit, e.Host, e.Bundle, e.Reason = sanitize(e.Unit), sanitize(e.Host), sanitize(e.Bundle), sanitize(e.Reason)
	fs := make([]audit.Finding, len(e.Findings))
	for i, f := range e.Findings {
		fs[i] = audit.Finding{Rule: sanitize(f.Rule), Severity: f.Severity, Excerpt: sanitize(f.Excerpt)}
	}
	e.Findings = fs
	return e
}

// handleAuditIngest stores a batch. Entries are idempotent by id: a resent
// entry is counted as a duplicate. Invalid entries are returned in
// "rejected" so that a client can drop them instead of retrying forever;
// the valid ones of the batch are stored.
func handleAuditIngest(log server.AuditLog, m *Metrics, now func() time.Time, after func()) echo.HandlerFunc {
	type request struct {
		Entries []audit.Entry `json:"entries"`
	}
	type response struct {
		server.AppendResult
		Rejected []rejected `json:"rejected"`
	}
	return func(c echo.Context) error {
		var req request
		// Unknown fields are ignored here: a newer extension may send
		// fields this server does not know, and its queue must drain.
		if err := json.NewDecoder(c.Request().Body).Decode(&req); err != nil {
			return decodeError(err)
		}
		if len(req.Entries) > audit.MaxBatch {
			return server.Errorf(server.EINVALID, "A batch holds at most %d entries.", audit.MaxBatch)
		}
		cl := claimsOf(c)
		resp := response{Rejected: []rejected{}}
		ok := make([]audit.Entry, 0, len(req.Entries))
		for i, e := range req.Entries {
			e = cleanEntry(e, cl)
			if ps := e.Validate(); len(ps) > 0 {
				resp.Rejected = append(resp.Rejected, rejected{Index: i, ID: e.ID, Problems: ps})
				continue
			}
			ok = append(ok, e)
		}
		res, err := log.Append(c.Request().Context(), ok, now())
		if err != nil {
			return err
		}
		if res.Accepted > 0 && after != nil {
			after()
		}
		m.auditAccepted.Add(int64(res.Accepted))
		m.auditDuplicates.Add(int64(res.Duplicates))
		resp.AppendResult = res
		return c.JSON(http.StatusOK, resp)
	}
}

// parseWhen reads a filter time: RFC 3339, or a date (midnight UTC).
func parseWhen(name, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	return time.Time{}, server.Errorf(server.EINVALID, "%s must be an RFC 3339 time or a date (YYYY-MM-DD).", name)
}

// parseFilter reads the audit filters from a query. Enumerated filters
// must name a known value; the others are matched exactly.
func parseFilter(q url.Values) (server.AuditFilter, error) {
	var f server.AuditFilter
	var err error
	if f.From, err = parseWhen("from", q.Get("from")); err != nil {
		return f, err
	}
	if f.To, err = parseWhen("to", q.Get("to")); err != nil {
		return f, err
	}
	if len(q.Get("to")) == len(time.DateOnly) && !f.To.IsZero() {
		f.To = f.To.AddDate(0, 0, 1) // a date as "to" includes that day
	}
	f.User, f.Unit, f.Rule = q.Get("user"), q.Get("unit"), q.Get("rule")
	f.Platform, f.Action = q.Get("platform"), q.Get("action")
	if f.Platform != "" && !slices.Contains(audit.Platforms, f.Platform) {
		return f, server.Errorf(server.EINVALID, "platform must be one of %s.", strings.Join(audit.Platforms, ", "))
	}
	if f.Action != "" && !slices.Contains(audit.AllActions, f.Action) {
		return f, server.Errorf(server.EINVALID, "action must be one of %s.", strings.Join(audit.AllActions, ", "))
	}
	for _, v := range []string{f.User, f.Unit, f.Rule} {
		if len(v) > audit.MaxFieldLen {
			return f, server.Errorf(server.EINVALID, "A filter value is longer than %d bytes.", audit.MaxFieldLen)
		}
	}
	return f, nil
}

func encodeCursor(seq int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("seq:" + strconv.FormatInt(seq, 10)))
}

func decodeCursor(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		if n, ok := strings.CutPrefix(string(b), "seq:"); ok {
			if seq, err := strconv.ParseInt(n, 10, 64); err == nil && seq > 0 {
				return seq, nil
			}
		}
	}
	return 0, server.Errorf(server.EINVALID, "cursor is not one this server gave out.")
}

// auditPage is one page of GET /audit.
type auditPage struct {
	Entries    []audit.Record `json:"entries"`
	NextCursor string         `json:"next_cursor,omitempty"`
}

// listAudit reads one page for q; the pages use it too.
func listAudit(c echo.Context, log server.AuditLog, q url.Values, defLimit int) (auditPage, server.AuditFilter, error) {
	f, err := parseFilter(q)
	if err != nil {
		return auditPage{}, f, err
	}
	if f.Before, err = decodeCursor(q.Get("cursor")); err != nil {
		return auditPage{}, f, err
	}
	f.Limit = defLimit
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1000 {
			return auditPage{}, f, server.Errorf(server.EINVALID, "limit must be between 1 and 1000.")
		}
		f.Limit = n
	}
	want := f.Limit
	f.Limit++
	rs, err := log.List(c.Request().Context(), f)
	if err != nil {
		return auditPage{}, f, err
	}
	p := auditPage{Entries: rs}
	if len(rs) > want {
		p.Entries = rs[:want]
		p.NextCursor = encodeCursor(rs[want-1].Seq)
	}
	f.Limit = want
	return p, f, nil
}

func handleAuditList(log server.AuditLog) echo.HandlerFunc {
	return func(c echo.Context) error {
		p, _, err := listAudit(c, log, c.QueryParams(), 100)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, p)
	}
}

func handleAuditGet(log server.AuditLog) echo.HandlerFunc {
	return func(c echo.Context) error {
		seq, err := strconv.ParseInt(c.Param("seq"), 10, 64)
		if err != nil || seq < 1 {
			return server.Errorf(server.ENOTFOUND, "No such audit entry.")
		}
		r, err := log.Get(c.Request().Context(), seq)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, r)
	}
}

// CSVHeader is the header row of a CSV export.
var CSVHeader = []string{"seq", "id", "received", "at", "user", "unit", "platform", "host", "kind", "action",
	"bundle", "archive", "rules", "findings", "reason", "text_sha256", "dropped", "prev", "hash", "pruned", "digest", "clock_skew"}

// csvCell defuses spreadsheet formulas: a cell that starts with = + - @
// or a control character is prefixed with an apostrophe (OWASP "CSV
// injection").
func csvCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// CSVRow is one record as a CSV row, in the order of CSVHeader.
func CSVRow(r *audit.Record) []string {
	var fs []string
	for _, f := range r.Findings {
		fs = append(fs, f.Rule+":"+f.Severity+":"+f.Excerpt)
	}
	row := []string{strconv.FormatInt(r.Seq, 10), r.ID, r.Received, r.At, r.User, r.Unit, r.Platform, r.Host, r.Kind,
		r.Action, r.Bundle, strconv.FormatBool(r.Archive), strings.Join(r.Rules(), " "), strings.Join(fs, " | "),
		r.Reason, r.TextSHA256, strconv.Itoa(r.Dropped), r.Prev, r.Hash, strconv.FormatBool(r.Pruned), r.Digest, audit.ClockSkew(r)}
	for i := range row {
		row[i] = csvCell(row[i])
	}
	return row
}

// exportPage is how many records an export reads at a time. Between
// pages it holds no database connection, so a client that reads slowly
// or not at all cannot take the connections sign-in, bundles and
// readiness need.
const exportPage = 500

// exportAudit streams the matching records as CSV or JSON Lines. A JSON
// Lines export of the whole log is what `postvakt audit verify` checks.
// Records are read a page at a time and each page is written under a
// write deadline (timeout): a stalled client is cut off, never waited for.
func exportAudit(c echo.Context, log server.AuditLog, now time.Time, timeout time.Duration) error {
	q := c.QueryParams()
	format := q.Get("format")
	if format == "" {
		format = "jsonl"
	}
	if format != "csv" && format != "jsonl" {
		return server.Errorf(server.EINVALID, "format must be csv or jsonl.")
	}
	f, err := parseFilter(q)
	if err != nil {
		return err
	}
	w := c.Response()
	name := fmt.Sprintf("postvakt-audit-%s.%s", now.UTC().Format("20060102-150405"), format)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	var write func(r *audit.Record) error
	flush := func() error { return nil }
	if format == "csv" {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		cw := csv.NewWriter(w)
		cw.Write(CSVHeader)
		write = func(r *audit.Record) error { return cw.Write(CSVRow(r)) }
		flush = func() error { cw.Flush(); return cw.Error() }
	} else {
		w.Header().Set("Content-Type", "application/x-ndjson")
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		write = func(r *audit.Record) error { return enc.Encode(r) }
	}
	rc := http.NewResponseController(w)
	rc.SetWriteDeadline(time.Now().Add(timeout))
	w.WriteHeader(http.StatusOK)
	// The status is sent; an error from here on can only cut the stream
	// short.
	return streamRecords(c.Request().Context(), log, f, func(page []*audit.Record) error {
		if err := rc.SetWriteDeadline(time.Now().Add(timeout)); err != nil && !errors.Is(err, http.ErrNotSupported) {
			return err
		}
		for _, r := range page {
			if err := write(r); err != nil {
				return err
			}
		}
		if err := flush(); err != nil {
			return err
		}
		if err := rc.Flush(); err != nil && !errors.Is(err, http.ErrNotSupported) {
			return err
		}
		return nil
	})
}

// streamRecords reads the records matching f in log order, a page at a
// time, and hands each page to fn; no database connection is held while
// fn runs.
func streamRecords(ctx context.Context, log server.AuditLog, f server.AuditFilter, fn func([]*audit.Record) error) error {
	f.After, f.Limit = 0, exportPage
	page := make([]*audit.Record, 0, exportPage)
	for {
		page = page[:0]
		if err := log.Each(ctx, f, func(r *audit.Record) error { page = append(page, r); return nil }); err != nil {
			return err
		}
		if len(page) == 0 {
			return nil
		}
		if err := fn(page); err != nil {
			return err
		}
		if len(page) < exportPage {
			return nil
		}
		f.After = page[len(page)-1].Seq
	}
}

func handleAuditExport(log server.AuditLog, now func() time.Time, timeout time.Duration) echo.HandlerFunc {
	return func(c echo.Context) error { return exportAudit(c, log, now(), timeout) }
}

func handleAuditVerify(verify func(context.Context) (audit.Report, error)) echo.HandlerFunc {
	return func(c echo.Context) error {
		rep, err := verify(c.Request().Context())
		if err != nil {
			return err
		}
		http.NewResponseController(c.Response()).SetWriteDeadline(time.Now().Add(30 * time.Second))
		return c.JSON(http.StatusOK, rep)
	}
}

// Checkpoints is the body of GET /audit/checkpoints, and the file that
// `postvakt audit verify --checkpoints` reads.
type Checkpoints struct {
	KeyID       string             `json:"key_id"`
	PublicKey   string             `json:"public_key"` // base64 (standard), 32 bytes
	Checkpoints []audit.Checkpoint `json:"checkpoints"`
	// Trees are the signed checkpoints of the Merkle tree (signed notes),
	// smallest first; VerifierKey is the log's signed-note verifier key.
	Trees       []string `json:"trees,omitempty"`
	VerifierKey string   `json:"verifier_key,omitempty"`
}

// NewCheckpoints is the body of GET /audit/checkpoints for a log.
func NewCheckpoints(ctx context.Context, log server.AuditLog, pub ed25519.PublicKey) (Checkpoints, error) {
	cps, err := log.Checkpoints(ctx)
	if err != nil {
		return Checkpoints{}, err
	}
	trees, err := log.TreeCheckpoints(ctx)
	if err != nil {
		return Checkpoints{}, err
	}
	vkey, _ := audit.NoteVerifierKey(audit.LogOrigin(pub), pub)
	return Checkpoints{KeyID: audit.KeyID(pub), PublicKey: base64.StdEncoding.EncodeToString(pub), Checkpoints: cps,
		Trees: trees, VerifierKey: vkey}, nil
}

func handleAuditCheckpoints(log server.AuditLog, pub ed25519.PublicKey) echo.HandlerFunc {
	return func(c echo.Context) error {
		cps, err := NewCheckpoints(c.Request().Context(), log, pub)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, cps)
	}
}
