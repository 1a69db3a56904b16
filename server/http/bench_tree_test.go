package http_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/postvakt/postvakt/shared/audit"
)

// BenchmarkProofs serves consistency and inclusion proofs over HTTP from
// a log of 20,000 entries on SQLite, as browsers checking the log after
// each sync ask for them.
func BenchmarkProofs(b *testing.B) {
	e := newEnv(b)
	ctx := context.Background()
	for n := 0; n < 200; n++ {
		es := make([]audit.Entry, 100)
		for i := range es {
			es[i] = audit.Entry{ID: fmt.Sprintf("33333333-2222-4333-8444-%012d", n*100+i+1), User: "staff", Platform: "facebook",
				At: t0.Format(time.RFC3339), Bundle: "t-1", Action: "published", Findings: []audit.Finding{}}
		}
		if _, err := e.DB.Append(ctx, es, t0); err != nil {
			b.Fatal(err)
		}
	}
	token := e.login("staff").AccessToken
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	for _, bc := range []struct{ name, path string }{
		{"consistency", "/api/v1/audit/proof/consistency?old=%d"},
		{"inclusion", "/api/v1/audit/proof/inclusion?seq=%d"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.RunParallel(func(pb *testing.PB) {
				i := 0
				for pb.Next() {
					i++
					req, _ := http.NewRequest("GET", e.URL+fmt.Sprintf(bc.path, 1+(i*7919)%19999), nil)
					req.Header.Set("Authorization", "Bearer "+token)
					resp, err := client.Do(req)
					if err != nil {
						b.Fatal(err)
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != 200 {
						b.Fatalf("status %d", resp.StatusCode)
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "proofs/s")
		})
	}
}
