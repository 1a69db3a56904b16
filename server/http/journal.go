package http

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	"github.com/postvakt/postvakt/server"
	"github.com/postvakt/postvakt/server/noark"
	"github.com/postvakt/postvakt/shared/audit"
	"github.com/postvakt/postvakt/shared/rules"
)

// Journalføring (issue #14). A writer saves a published post, and the
// comments under it, for the archive; the archive exports it as a Noark 5
// arkivmelding and marks it journaled.
//
//	POST /journal                  staff. {"platform","url","published_at","title"?,"text","case"?,"deadline"?,
//	                               "comments"?: [{"author","at"?,"text"}]} → 201 {"id","comments"}; when the
//	                               unit saved the post before, the new comments are added to that item
//	                               → 200 {"id","comments","added","existing": true}.
//	POST /journal/{id}/comments    staff of the item's unit. {"comments": [...]} → {"id","added","comments"};
//	                               409 after the input deadline or once the item is journaled.
//	GET  /journal                  staff (their unit's items), arkiv, compliance. Filters from, to, status
//	                               (waiting, exported, filed), case, unit, url; limit (1–1000, default 100)
//	                               → {"items": [server.JournalItem]} without comments, newest first.
//	GET  /journal/{id}             as GET /journal; the item with its comments.
//	GET  /journal/{id}/arkivmelding arkiv, compliance. application/zip: arkivmelding.xml and the documents.
//	POST /journal/export           arkiv, compliance. {"ids": [...]} → one zip for several items.
//	POST /journal/{id}/filed       arkiv, compliance. {"ref"} → the item, status filed.
//	POST /journal/{id}/hold        arkiv, compliance. {"hold": true|false} → the item.
//
// Every export, filing and hold is an audit entry.

// journalBody bounds a journal request: a post and a capture of comments.
// A capture of 500 comments of the longest kind is over it (413); the
// extension sends comments 100 at a time.
const journalBody = 6 << 20

// journalReaders may read, export and file every unit's items.
var journalReaders = []string{server.RoleArkiv, server.RoleCompliance}

func (s *Server) journalRoutes(api *echo.Group, auth echo.MiddlewareFunc) {
	j := s.cfg.Journal
	if j == nil {
		return
	}
	body := bodyLimit(journalBody)
	staff := requireRole(server.RoleStaff)
	readers := requireRole(append([]string{server.RoleStaff}, journalReaders...)...)
	archive := requireRole(journalReaders...)
	now := s.cfg.Now
	api.POST("/journal", handleJournalCreate(j, now), body, auth, staff)
	api.POST("/journal/export", s.handleJournalExportMany(), bodyLimit(smallBody), auth, archive, longLived(s.cfg.Timeouts.Write))
	api.POST("/journal/:id/comments", handleJournalComments(j, now), body, auth, staff)
	api.GET("/journal", handleJournalList(j), auth, readers)
	api.GET("/journal/:id", handleJournalGet(j), auth, readers)
	api.GET("/journal/:id/arkivmelding", s.handleJournalExport(), auth, archive, longLived(s.cfg.Timeouts.Write))
	api.POST("/journal/:id/filed", handleJournalFile(j, now), bodyLimit(smallBody), auth, archive)
	api.POST("/journal/:id/hold", handleJournalHold(j, now), bodyLimit(smallBody), auth, archive)
	s.journalPageRoutes()
}

func init() {
	actionNames[audit.ActionJournalExported] = "arkivmelding eksportert"
	actionNames[audit.ActionJournalFiled] = "journalført"
	actionNames[audit.ActionJournalHold] = "journalføring: sletteforbud endret"
	actionNames[audit.ActionJournalPruned] = "journalførte innlegg slettet etter oppbevaringstiden"
}

// journalComment is a comment as a client sends it.
type journalComment struct {
	Author string `json:"author"`
	At     string `json:"at"`
	Text   string `json:"text"`
}

// journalCreate is the body of POST /journal.
type journalCreate struct {
	Platform    string           `json:"platform"`
	URL         string           `json:"url"`
	PublishedAt string           `json:"published_at"`
	Title       string           `json:"title"`
	Text        string           `json:"text"`
	Case        string           `json:"case"`
	Deadline    string           `json:"deadline"`
	Comments    []journalComment `json:"comments"`
}

// fieldProblem is one invalid field of a request.
type fieldProblem struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// problems collects a request's invalid fields.
type problems []fieldProblem

func (p *problems) add(field, format string, args ...any) {
	*p = append(*p, fieldProblem{Field: field, Message: fmt.Sprintf(format, args...)})
}

// err is EINVALID naming the first problem, with all of them as details;
// nil when there are none.
func (p problems) err() error {
	if len(p) == 0 {
		return nil
	}
	msg := p[0].Field + ": " + p[0].Message
	if len(p) > 1 {
		msg += fmt.Sprintf(" (and %d more problems)", len(p)-1)
	}
	return &server.Error{Code: server.EINVALID, Message: msg, Details: []fieldProblem(p)}
}

// cleanText sanitises free text from a client (see sanitize) and drops
// control characters other than line breaks and tabs, which neither XML
// nor PostgreSQL text can carry.
func cleanText(s string) string {
	s = sanitize(s)
	if strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r == '\r' {
			return '\n'
		}
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			return -1
		}
		return r
	}, s)
}

// checkLen reports a field over max bytes.
func checkLen(ps *problems, field, v string, max int) {
	if len(v) > max {
		ps.add(field, "is %d bytes long; at most %d are allowed", len(v), max)
	}
}

// cleanComments validates and sanitises comments, captured at now.
func cleanComments(ps *problems, in []journalComment, now time.Time) []server.JournalComment {
	if len(in) > server.MaxJournalCaptured {
		ps.add("comments", "holds %d comments; at most %d may be sent at once", len(in), server.MaxJournalCaptured)
		return nil
	}
	out := make([]server.JournalComment, 0, len(in))
	for i, c := range in {
		f := fmt.Sprintf("comments[%d]", i)
		checkLen(ps, f+".author", c.Author, server.MaxJournalAuthor)
		checkLen(ps, f+".text", c.Text, server.MaxJournalCommentText)
		jc := server.JournalComment{Author: cleanText(c.Author), Text: cleanText(c.Text), CapturedAt: now}
		if jc.Author == "" {
			ps.add(f+".author", "is required")
		}
		if jc.Text == "" {
			ps.add(f+".text", "is required")
		}
		if c.At != "" {
			t, err := time.Parse(time.RFC3339, c.At)
			if err != nil {
				ps.add(f+".at", "must be an RFC 3339 time (2026-11-22T10:00:00Z) or left out")
			} else {
				jc.At = t.UTC().Format(time.RFC3339)
			}
		}
		out = append(out, jc)
	}
	return out
}

// defaultTitle is the first line of the post, at most 100 characters.
func defaultTitle(text string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(text), "\n")
	line = strings.TrimSpace(line)
	if utf8.RuneCountInString(line) > 100 {
		r := []rune(line)
		line = strings.TrimSpace(string(r[:99])) + "…"
	}
	return line
}

// validItem checks a create request and returns the item it asks for.
func validItem(req journalCreate, cl *Claims, now time.Time) (*server.JournalItem, error) {
	var ps problems
	it := &server.JournalItem{ID: uuid.NewString(), CreatedBy: cl.Name, Unit: cl.Unit, CreatedAt: now, Status: server.JournalWaiting}
	switch {
	case req.Platform == "":
		ps.add("platform", "is required")
	case req.Platform == "server" || !slices.Contains(audit.Platforms, req.Platform):
		ps.add("platform", "must be one of facebook, instagram, linkedin, x, youtube, tiktok, other")
	}
	it.Platform = req.Platform
	checkLen(&ps, "url", req.URL, server.MaxJournalURL)
	if u, err := url.Parse(strings.TrimSpace(req.URL)); req.URL == "" {
		ps.add("url", "is required: the address of the published post")
	} else if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		ps.add("url", "must be the post's http(s) address")
	} else {
		u.Fragment = ""
		it.URL = u.String()
	}
	if req.PublishedAt == "" {
		ps.add("published_at", "is required")
	} else if t, err := time.Parse(time.RFC3339, req.PublishedAt); err != nil {
		ps.add("published_at", "must be an RFC 3339 time (2026-11-22T10:00:00Z)")
	} else if t.After(now.Add(10 * time.Minute)) {
		ps.add("published_at", "is in the future")
	} else {
		it.PublishedAt = t.UTC()
	}
	checkLen(&ps, "text", req.Text, server.MaxJournalText)
	if it.Text = cleanText(req.Text); it.Text == "" {
		ps.add("text", "is required: the published text")
	}
	checkLen(&ps, "title", req.Title, server.MaxJournalTitle)
	if it.Title = cleanText(req.Title); it.Title == "" {
		it.Title = defaultTitle(it.Text)
	}
	if it.Case = strings.TrimSpace(req.Case); it.Case != "" && !noark.ValidCase(it.Case) {
		ps.add("case", "must be a case number such as 2026/123 (year/sequence), or left out")
	}
	if it.Deadline = strings.TrimSpace(req.Deadline); it.Deadline != "" {
		if _, err := time.Parse(time.DateOnly, it.Deadline); err != nil {
			ps.add("deadline", "must be a date (YYYY-MM-DD), or left out")
		}
	}
	it.Comments = cleanComments(&ps, req.Comments, now)
	return it, ps.err()
}

func handleJournalCreate(j server.JournalStore, now func() time.Time) echo.HandlerFunc {
	type response struct {
		ID       string `json:"id"`
		Comments int    `json:"comments"`
		Added    int    `json:"added,omitempty"`
		Existing bool   `json:"existing,omitempty"`
	}
	return func(c echo.Context) error {
		var req journalCreate
		if err := decodeStrict(c.Request().Body, &req); err != nil {
			return err
		}
		cl, t := claimsOf(c), now()
		it, err := validItem(req, cl, t)
		if err != nil {
			return err
		}
		ctx := c.Request().Context()
		err = j.CreateJournal(ctx, it)
		if server.ErrorCode(err) == server.ECONFLICT {
			// The unit saved this post before: this is a later capture.
			old, ferr := findByURL(ctx, j, cl.Unit, it.URL)
			if ferr != nil {
				return ferr
			}
			added, err := addCapture(ctx, j, old, it.Comments, t)
			if err != nil {
				return err
			}
			return c.JSON(http.StatusOK, response{ID: old.ID, Comments: old.CommentCount + added, Added: added, Existing: true})
		} else if err != nil {
			return err
		}
		return c.JSON(http.StatusCreated, response{ID: it.ID, Comments: it.CommentCount})
	}
}

func findByURL(ctx context.Context, j server.JournalStore, unit, u string) (*server.JournalItem, error) {
	its, err := j.ListJournal(ctx, server.JournalFilter{Unit: unit, URL: u, Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(its) == 0 {
		return nil, server.Errorf(server.ECONFLICT, "The post is being saved by another request; try again.")
	}
	return its[0], nil
}

// addCapture adds a later capture's comments to it, before its deadline.
func addCapture(ctx context.Context, j server.JournalStore, it *server.JournalItem, cs []server.JournalComment, now time.Time) (int, error) {
	if it.DeadlinePassed(now) {
		return 0, server.Errorf(server.ECONFLICT, "The input deadline (%s) has passed; comments written later are not added to the item.", it.Deadline)
	}
	return j.AddJournalComments(ctx, it.ID, cs, now)
}

// journalItem loads item id for the claims: staff only see their own
// unit's items, and another unit's item is not found rather than
// forbidden, so that ids cannot be probed.
func journalItem(ctx context.Context, j server.JournalStore, id string, cl *Claims) (*server.JournalItem, error) {
	if _, err := uuid.Parse(id); err != nil {
		return nil, server.Errorf(server.ENOTFOUND, "No such journal item.")
	}
	it, err := j.GetJournal(ctx, id)
	if err != nil {
		return nil, err
	}
	if !readsAll(cl) && it.Unit != cl.Unit {
		return nil, server.Errorf(server.ENOTFOUND, "No such journal item.")
	}
	return it, nil
}

// readsAll reports whether the claims may read every unit's items.
func readsAll(cl *Claims) bool {
	return slices.ContainsFunc(journalReaders, cl.HasRole)
}

func handleJournalComments(j server.JournalStore, now func() time.Time) echo.HandlerFunc {
	type request struct {
		Comments []journalComment `json:"comments"`
	}
	type response struct {
		ID       string `json:"id"`
		Added    int    `json:"added"`
		Comments int    `json:"comments"`
	}
	return func(c echo.Context) error {
		var req request
		if err := decodeStrict(c.Request().Body, &req); err != nil {
			return err
		}
		t := now()
		var ps problems
		cs := cleanComments(&ps, req.Comments, t)
		if req.Comments == nil {
			ps.add("comments", "is required")
		}
		if err := ps.err(); err != nil {
			return err
		}
		cl := claimsOf(c)
		ctx := c.Request().Context()
		it, err := journalItem(ctx, j, c.Param("id"), cl)
		if err != nil {
			return err
		}
		// Staff add to their own unit's items only, even when they can
		// read others'.
		if it.Unit != cl.Unit {
			return server.Errorf(server.EFORBIDDEN, "Only the unit that saved the post can add comments to it.")
		}
		added, err := addCapture(ctx, j, it, cs, t)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, response{ID: it.ID, Added: added, Comments: it.CommentCount + added})
	}
}

// journalFilter reads the list filters; staff are limited to their unit.
func journalFilter(q url.Values, cl *Claims) (server.JournalFilter, error) {
	var f server.JournalFilter
	var err error
	if f.From, err = parseWhen("from", q.Get("from")); err != nil {
		return f, err
	}
	if f.To, err = parseWhen("to", q.Get("to")); err != nil {
		return f, err
	}
	if len(q.Get("to")) == len(time.DateOnly) && !f.To.IsZero() {
		f.To = f.To.AddDate(0, 0, 1)
	}
	if f.Status = q.Get("status"); f.Status != "" && !slices.Contains(server.JournalStatuses, f.Status) {
		return f, server.Errorf(server.EINVALID, "status must be one of %s.", strings.Join(server.JournalStatuses, ", "))
	}
	f.Case, f.Unit, f.URL = q.Get("case"), q.Get("unit"), q.Get("url")
	if len(f.Case) > server.MaxJournalCase || len(f.Unit) > audit.MaxFieldLen || len(f.URL) > server.MaxJournalURL {
		return f, server.Errorf(server.EINVALID, "A filter value is too long.")
	}
	if !readsAll(cl) {
		f.Unit = cl.Unit
	}
	f.Limit = 100
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1000 {
			return f, server.Errorf(server.EINVALID, "limit must be between 1 and 1000.")
		}
		f.Limit = n
	}
	return f, nil
}

func handleJournalList(j server.JournalStore) echo.HandlerFunc {
	type response struct {
		Items []*server.JournalItem `json:"items"`
	}
	return func(c echo.Context) error {
		f, err := journalFilter(c.QueryParams(), claimsOf(c))
		if err != nil {
			return err
		}
		its, err := j.ListJournal(c.Request().Context(), f)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, response{Items: its})
	}
}

func handleJournalGet(j server.JournalStore) echo.HandlerFunc {
	return func(c echo.Context) error {
		it, err := journalItem(c.Request().Context(), j, c.Param("id"), claimsOf(c))
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, it)
	}
}

// orgSettings returns the organisation's name and whether comments are
// masked in the public copy, from the published bundle.
func (s *Server) orgSettings(ctx context.Context) (name string, mask bool) {
	v, err := s.bundles.get(ctx)
	if err != nil {
		return "", false
	}
	b, err := rules.Parse(v.JSON)
	if err != nil {
		return "", false
	}
	return b.Org.Name, b.Org.JournalComments == "mask"
}

// exportJournal builds the arkivmelding of ids, records the export (the
// items' status and an audit entry, in one transaction) and only then
// sends the zip, so that no export goes unrecorded.
func (s *Server) exportJournal(c echo.Context, ids []string) error {
	ctx, cl, j := c.Request().Context(), claimsOf(c), s.cfg.Journal
	if len(ids) == 0 {
		return server.Errorf(server.EINVALID, "Choose at least one item to export.")
	}
	if len(ids) > 200 {
		return server.Errorf(server.EINVALID, "At most 200 items can be exported at once.")
	}
	var its []*server.JournalItem
	for _, id := range ids {
		it, err := journalItem(ctx, j, id, cl)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(its, func(o *server.JournalItem) bool { return o.ID == it.ID }) {
			its = append(its, it)
		}
	}
	org, mask := s.orgSettings(ctx)
	now := s.cfg.Now()
	ex, err := noark.Build(its, noark.Options{Org: org, MaskComments: mask, Now: now})
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := ex.WriteZip(&buf); err != nil {
		return err
	}
	done := make([]string, len(its))
	for i, it := range its {
		done[i] = it.ID
	}
	reason := fmt.Sprintf("Arkivmelding eksportert for %d innlegg til journalføring: %s", len(its), strings.Join(done, ", "))
	if len(reason) > audit.MaxReasonLen {
		reason = reason[:audit.MaxReasonLen-1] + "…"
	}
	rec := server.JournalEntry(actorOf(cl), now, audit.ActionJournalExported, reason)
	if err := j.MarkJournalExported(ctx, done, now, []audit.Entry{rec}); err != nil {
		return err
	}
	name := "arkivmelding-" + now.UTC().Format("20060102-150405") + ".zip"
	if len(its) == 1 {
		name = "arkivmelding-" + its[0].ID + ".zip"
	}
	c.Response().Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	return c.Blob(http.StatusOK, "application/zip", buf.Bytes())
}

func (s *Server) handleJournalExport() echo.HandlerFunc {
	return func(c echo.Context) error { return s.exportJournal(c, []string{c.Param("id")}) }
}

func (s *Server) handleJournalExportMany() echo.HandlerFunc {
	type request struct {
		IDs []string `json:"ids"`
	}
	return func(c echo.Context) error {
		var req request
		if err := decodeStrict(c.Request().Body, &req); err != nil {
			return err
		}
		return s.exportJournal(c, req.IDs)
	}
}

// fileJournal marks id journaled under the archive's reference ref.
func fileJournal(ctx context.Context, j server.JournalStore, id, ref string, cl *Claims, now time.Time) (*server.JournalItem, error) {
	it, err := journalItem(ctx, j, id, cl)
	if err != nil {
		return nil, err
	}
	if len(ref) > 200 {
		return nil, server.Errorf(server.EINVALID, "ref: the archive's reference is at most 200 bytes.")
	}
	if ref = cleanText(ref); ref == "" {
		return nil, server.Errorf(server.EINVALID, "ref: the archive's reference (journalpost number) is required.")
	}
	rec := server.JournalEntry(actorOf(cl), now, audit.ActionJournalFiled, fmt.Sprintf("Innlegg %s journalført som %s", it.ID, ref))
	if err := j.FileJournal(ctx, it.ID, ref, cl.Name, now, []audit.Entry{rec}); err != nil {
		return nil, err
	}
	return j.GetJournal(ctx, it.ID)
}

func holdJournal(ctx context.Context, j server.JournalStore, id string, hold bool, cl *Claims, now time.Time) (*server.JournalItem, error) {
	it, err := journalItem(ctx, j, id, cl)
	if err != nil {
		return nil, err
	}
	what := "opphevet"
	if hold {
		what = "satt"
	}
	rec := server.JournalEntry(actorOf(cl), now, audit.ActionJournalHold, fmt.Sprintf("Sletteforbud (rettslig pålegg) %s for innlegg %s", what, it.ID))
	if err := j.SetJournalHold(ctx, it.ID, hold, now, []audit.Entry{rec}); err != nil {
		return nil, err
	}
	return j.GetJournal(ctx, it.ID)
}

func handleJournalFile(j server.JournalStore, now func() time.Time) echo.HandlerFunc {
	type request struct {
		Ref string `json:"ref"`
	}
	return func(c echo.Context) error {
		var req request
		if err := decodeStrict(c.Request().Body, &req); err != nil {
			return err
		}
		it, err := fileJournal(c.Request().Context(), j, c.Param("id"), req.Ref, claimsOf(c), now())
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, it)
	}
}

func handleJournalHold(j server.JournalStore, now func() time.Time) echo.HandlerFunc {
	type request struct {
		Hold *bool `json:"hold"`
	}
	return func(c echo.Context) error {
		var req request
		if err := decodeStrict(c.Request().Body, &req); err != nil {
			return err
		}
		if req.Hold == nil {
			return server.Errorf(server.EINVALID, "hold: true or false is required.")
		}
		it, err := holdJournal(c.Request().Context(), j, c.Param("id"), *req.Hold, claimsOf(c), now())
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, it)
	}
}
