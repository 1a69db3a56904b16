package http_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/postvakt/postvakt/server"
	"github.com/postvakt/postvakt/shared/audit"
)

// TestPrunedRecords checks how the API and the pages show records whose
// contents were pruned after the retention period: marked pruned, no
// personal data, the chain still verified.
func TestPrunedRecords(t *testing.T) {
	e := newEnv(t)
	e.do("POST", "/api/v1/audit", e.login("staff").AccessToken, map[string]any{"entries": []any{entry(1, "Godkjent av Kari Nordmann")}})
	e.Clock.Add(48 * time.Hour)
	e.do("POST", "/api/v1/audit", e.login("staff").AccessToken, map[string]any{"entries": []any{entry(2, "Godkjent av leder")}})
	comp := e.login("comp").AccessToken
	if res, err := server.PruneLog(context.Background(), e.DB, t0.Add(24*time.Hour), e.Clock.Now(), "oppbevaringstid"); err != nil || res.Pruned != 1 {
		t.Fatalf("Prune = %+v, %v", res, err)
	}

	var rec audit.Record
	json.Unmarshal(e.do("GET", "/api/v1/audit/1", comp, nil).Body, &rec)
	if !rec.Pruned || rec.User != "" || rec.Reason != "" || len(rec.Findings) != 0 || rec.Digest == "" || rec.Action != "overridden" {
		t.Errorf("GET /audit/1 of a pruned record: %+v", rec)
	}
	var rep audit.Report
	json.Unmarshal(e.do("GET", "/api/v1/audit/verify", comp, nil).Body, &rep)
	if !rep.OK || rep.Entries != 3 || rep.Pruned != 1 {
		t.Errorf("GET /audit/verify: %+v", rep)
	}
	if csv := string(e.do("GET", "/api/v1/audit/export?format=csv", comp, nil).Body); strings.Contains(csv, "Kari Nordmann") || !strings.Contains(csv, ",true,"+rec.Digest) {
		t.Errorf("CSV export:\n%s", csv)
	}

	b := e.browser("comp")
	for _, tc := range []struct {
		path      string
		want, not []string
	}{
		{"/compliance", []string{"innhold slettet etter oppbevaringstiden", "Godkjent av leder"}, []string{"Kari Nordmann"}},
		{"/compliance/entries/1", []string{"Innhold slettet etter oppbevaringstiden", rec.Digest}, []string{"Kari Nordmann", "<h2>Funn</h2>"}},
		{"/compliance/entries/2", []string{"Godkjent av leder", "<h2>Funn</h2>"}, []string{"slettet etter oppbevaringstiden"}},
		{"/compliance/verify", []string{"Loggen er uendret", "Innholdet i 1 av oppføringene er slettet etter oppbevaringstiden"}, nil},
	} {
		body := b.get(tc.path, 200)
		for _, w := range tc.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s does not show %q", tc.path, w)
			}
		}
		for _, n := range tc.not {
			if strings.Contains(body, n) {
				t.Errorf("%s shows %q", tc.path, n)
			}
		}
	}
}
