package http_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
)

// BenchmarkAuditIngest posts batches of 100 new entries, as extensions
// send them, through the whole stack: HTTP, JWT, sanitising, the hash
// chain, a signed checkpoint per batch and a commit, on SQLite and on
// PostgreSQL (skipped unless POSTVAKT_TEST_POSTGRES is set).
func BenchmarkAuditIngest(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchIngest(b, newEnv(b)) })
	b.Run("postgres", func(b *testing.B) { benchIngest(b, newPostgresEnv(b)) })
}

func benchIngest(b *testing.B, e *env) {
	token := e.login("staff").AccessToken
	const batch = 100
	bodies := make([][]byte, 0, 64)
	n := 0
	next := func() []byte {
		es := make([]any, batch)
		for i := range es {
			n++
			es[i] = entry(n, "Godkjent av leder")
		}
		body, _ := json.Marshal(map[string]any{"entries": es})
		return body
	}
	for range 64 {
		bodies = append(bodies, next())
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i >= len(bodies) {
			b.StopTimer()
			bodies = append(bodies, next())
			b.StartTimer()
		}
		req, _ := http.NewRequest("POST", e.URL+"/api/v1/audit", bytes.NewReader(bodies[i]))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !bytes.Contains(body, []byte(fmt.Sprintf(`"accepted":%d`, batch))) {
			b.Fatalf("ingest: %d %s", resp.StatusCode, body)
		}
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "entries/s")
}

// BenchmarkBundleNotModified is the request every browser repeats:
// GET /bundle with If-None-Match of the current version, answered 304.
func BenchmarkBundleNotModified(b *testing.B) {
	e := newEnv(b)
	token := e.login("staff").AccessToken
	r := e.do("GET", "/api/v1/bundle", token, nil)
	etag := r.Header.Get("ETag")
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest("GET", e.URL+"/api/v1/bundle", nil)
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("If-None-Match", etag)
			resp, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusNotModified {
				b.Fatalf("status %d, want 304", resp.StatusCode)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}
