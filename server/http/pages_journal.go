package http

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/postvakt/postvakt/server"
	"github.com/postvakt/postvakt/server/noark"
)

// The archive's pages for journalføring: items waiting, exported and
// journaled; export one or many; mark one journaled with the archive's
// reference; set or lift a legal hold. In Norwegian, like the other pages.

var journalStatusNames = map[string]string{
	server.JournalWaiting: "venter", server.JournalExported: "eksportert", server.JournalFiled: "journalført",
}

func journalStatus(s string) string {
	if n, ok := journalStatusNames[s]; ok {
		return n
	}
	return s
}

// splitLines splits text into its non-empty lines, for paragraphs.
func splitLines(s string) []string {
	var ls []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			ls = append(ls, l)
		}
	}
	return ls
}

func (s *Server) journalPageRoutes() {
	sess := sessionRoutes{e: s.Echo, mw: []echo.MiddlewareFunc{sameOrigin, s.requireSession}}
	archive := requireRole(journalReaders...)
	post := []echo.MiddlewareFunc{bodyLimit(smallBody), s.checkCSRF, archive}
	sess.GET("/journal", s.handleJournalPage(), archive)
	// Exporting changes the items' status and writes an audit entry, so
	// on the pages it is a form post with the CSRF token, never a link.
	sess.POST("/journal/export", s.handleJournalExportPage(), append(post, longLived(s.cfg.Timeouts.Write))...)
	sess.GET("/journal/items/:id", s.handleJournalItemPage(), archive)
	sess.POST("/journal/items/:id/filed", s.handleJournalFilePage(), post...)
	sess.POST("/journal/items/:id/hold", s.handleJournalHoldPage(), post...)
}

func (s *Server) handleJournalPage() echo.HandlerFunc {
	type data struct {
		Q        map[string]string
		Statuses []string
		Items    []*server.JournalItem
	}
	return func(c echo.Context) error {
		q := url.Values{}
		d := data{Q: map[string]string{}, Statuses: server.JournalStatuses}
		for _, k := range []string{"from", "to", "status", "case", "unit"} {
			if v := strings.TrimSpace(c.QueryParam(k)); v != "" {
				q.Set(k, v)
				d.Q[k] = v
			}
		}
		if _, ok := c.QueryParams()["status"]; !ok {
			q.Set("status", server.JournalWaiting)
			d.Q["status"] = server.JournalWaiting
		}
		p := page{Title: "Journalføring", Nav: "journal", Flash: c.QueryParam("ok")}
		f, err := journalFilter(q, claimsOf(c))
		if err == nil {
			d.Items, err = s.cfg.Journal.ListJournal(c.Request().Context(), f)
		}
		if err != nil {
			if server.ErrorCode(err) == server.EINTERNAL {
				return err
			}
			p.Error = server.ErrorMessage(err)
		}
		p.Data = d
		return s.render(c, http.StatusOK, "journal", p)
	}
}

func (s *Server) handleJournalExportPage() echo.HandlerFunc {
	return func(c echo.Context) error {
		form, err := c.FormParams()
		if err != nil {
			return server.Errorf(server.EMALFORMED, "Skjemaet kunne ikke leses.")
		}
		if len(form["id"]) == 0 {
			return server.Errorf(server.EINVALID, "Velg minst ett innlegg å eksportere.")
		}
		return s.exportJournal(c, form["id"])
	}
}

func (s *Server) handleJournalItemPage() echo.HandlerFunc {
	return func(c echo.Context) error {
		it, err := journalItem(c.Request().Context(), s.cfg.Journal, c.Param("id"), claimsOf(c))
		if err != nil {
			return err
		}
		authors := make([]string, 0, len(it.Comments))
		for _, cm := range it.Comments {
			authors = append(authors, cm.Author)
		}
		return s.render(c, http.StatusOK, "journal_item", page{Title: it.Title, Nav: "journal", Flash: c.QueryParam("ok"),
			Data: struct {
				Item   *server.JournalItem
				Public string
			}{it, noark.MaskNames(it.Title, authors)}})
	}
}

func (s *Server) handleJournalFilePage() echo.HandlerFunc {
	return func(c echo.Context) error {
		id := c.Param("id")
		if _, err := fileJournal(c.Request().Context(), s.cfg.Journal, id, c.FormValue("ref"), claimsOf(c), s.cfg.Now()); err != nil {
			return err
		}
		return c.Redirect(http.StatusSeeOther, "/journal/items/"+url.PathEscape(id)+"?ok="+url.QueryEscape("Merket som journalført."))
	}
}

func (s *Server) handleJournalHoldPage() echo.HandlerFunc {
	return func(c echo.Context) error {
		id := c.Param("id")
		hold := c.FormValue("hold") == "1"
		if _, err := holdJournal(c.Request().Context(), s.cfg.Journal, id, hold, claimsOf(c), s.cfg.Now()); err != nil {
			return err
		}
		msg := "Sletteforbudet er opphevet."
		if hold {
			msg = "Sletteforbud er satt: innlegget slettes ikke etter oppbevaringstiden."
		}
		return c.Redirect(http.StatusSeeOther, "/journal/items/"+url.PathEscape(id)+"?ok="+url.QueryEscape(msg))
	}
}
