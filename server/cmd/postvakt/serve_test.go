package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/postvakt/postvakt/server"
	pvhttp "github.com/postvakt/postvakt/server/http"
	"github.com/postvakt/postvakt/server/sqlite"
	"github.com/postvakt/postvakt/shared/audit"
	"github.com/postvakt/postvakt/shared/draft"
	"github.com/postvakt/postvakt/shared/rules"
	"golang.org/x/crypto/bcrypt"
)

// serveLogBuffer is a bytes.Buffer safe for the server's log writes.
type serveLogBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *serveLogBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *serveLogBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// serveHarness is `postvakt serve` started through run on port 0 with a
// temporary data directory.
type serveHarness struct {
	t    *testing.T
	URL  string
	Data string
	Logs *serveLogBuffer
	// MetricsURL is the metrics address's URL, when started with
	// --metrics-addr.
	MetricsURL string
	stop       func() error
}

func serveNoEnv(string) string { return "" }

func startServe(t *testing.T) *serveHarness { t.Helper(); return startServeWith(t) }

// startServeWith is startServe with more flags.
func startServeWith(t *testing.T, flags ...string) *serveHarness {
	t.Helper()
	ts := &serveHarness{t: t, Data: t.TempDir(), Logs: &serveLogBuffer{}}
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0", "--data", ts.Data, "--sse-heartbeat", "100ms"}, flags...), serveNoEnv, strings.NewReader(""), pw, ts.Logs)
		pw.Close()
	}()
	sc := bufio.NewScanner(pr)
	if !sc.Scan() {
		cancel()
		t.Fatalf("serve printed nothing; err %v; logs:\n%s", <-done, ts.Logs)
	}
	addr, ok := strings.CutPrefix(sc.Text(), "postvakt: listening on ")
	if !ok {
		t.Fatalf("first line %q, want the listening address", sc.Text())
	}
	if slices.Contains(flags, "--metrics-addr") {
		if !sc.Scan() {
			t.Fatal("serve did not print the metrics address")
		}
		ts.MetricsURL, _ = strings.CutPrefix(sc.Text(), "postvakt: metrics on ")
	}
	go io.Copy(io.Discard, pr)
	ts.URL = addr
	var once sync.Once
	var stopErr error
	ts.stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case stopErr = <-done:
			case <-time.After(10 * time.Second):
				stopErr = fmt.Errorf("serve did not stop within 10 s")
			}
		})
		return stopErr
	}
	t.Cleanup(func() { ts.stop() })
	for i := 0; ; i++ {
		resp, err := http.Get(ts.URL + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if i == 100 {
			t.Fatalf("/healthz never answered: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return ts
}

// addUser creates an account straight in the store, as a fixture: `user
// add` would also append an account_created entry, and these tests count
// and number the audit log's entries (TestUserAdd and TestUserManage test
// the command).
func (ts *serveHarness) addUser(name, roles, password string) {
	ts.t.Helper()
	hash, err := pvhttp.HashPassword(password, bcrypt.MinCost)
	if err != nil {
		ts.t.Fatal(err)
	}
	db := sqlite.NewDB(filepath.Join(ts.Data, "postvakt.db"))
	if err := db.Open(); err != nil {
		ts.t.Fatal(err)
	}
	defer db.Close()
	if err := db.CreateUser(context.Background(), &server.User{Name: name, Roles: strings.Split(roles, ","), PasswordHash: hash, CreatedAt: time.Now()}); err != nil {
		ts.t.Fatalf("add user %s: %v", name, err)
	}
}

// do sends a request; body is JSON-encoded unless it is []byte.
func (ts *serveHarness) do(method, path, token string, body any, hdr ...string) (*http.Response, []byte) {
	ts.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		r = bytes.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		r = bytes.NewReader(j)
	}
	req, _ := http.NewRequest(method, ts.URL+path, r)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		ts.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func (ts *serveHarness) want(method, path, token string, body any, status int) []byte {
	ts.t.Helper()
	resp, b := ts.do(method, path, token, body)
	if resp.StatusCode != status {
		ts.t.Fatalf("%s %s: status %d, want %d\n%s", method, path, resp.StatusCode, status, b)
	}
	return b
}

func (ts *serveHarness) login(name, password string) string {
	ts.t.Helper()
	var tok struct {
		AccessToken string   `json:"access_token"`
		Roles       []string `json:"roles"`
	}
	json.Unmarshal(ts.want("POST", "/api/v1/auth/login", "", map[string]string{"username": name, "password": password}, 200), &tok)
	return tok.AccessToken
}

// serveTestBundle is a small valid bundle: one phrase rule from the built-in
// bundle and one example that exercises it. wrongExample makes the
// example expect nothing, so that it fails.
func serveTestBundle(t *testing.T, version string, wrongExample bool) []byte {
	t.Helper()
	b := rules.Builtin()
	b.Version = version
	for _, r := range b.Rules {
		if r.ID == "case.confidential" {
			b.Rules = []rules.Rule{r}
			break
		}
	}
	ex := rules.Example{Draft: draft.Draft{ID: "e1", Text: "Dette notatet er taushetsbelagt."},
		Expect: rules.Expect{Verdict: "block", Findings: []rules.ExpectFinding{{Rule: "case.confidential", Text: "taushetsbelagt"}}}}
	if wrongExample {
		ex.Expect = rules.Expect{Verdict: "ok", Findings: []rules.ExpectFinding{}}
	}
	b.Examples = []rules.Example{ex}
	data, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

type serveEvent struct{ name, data string }

// subscribe opens the event stream and sends each event to the channel.
func (ts *serveHarness) subscribe(token string) (<-chan serveEvent, func()) {
	ts.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", ts.URL+"/api/v1/bundle/events", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		cancel()
		ts.t.Fatalf("GET /bundle/events: %v %v", err, resp)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		ts.t.Errorf("event stream Content-Type %q", ct)
	}
	ch := make(chan serveEvent, 32)
	go func() {
		defer close(ch)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		var ev serveEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				ev.name = line[len("event: "):]
			case strings.HasPrefix(line, "data: "):
				ev.data = line[len("data: "):]
			case strings.HasPrefix(line, ": "):
				ch <- serveEvent{name: "heartbeat"}
			case line == "" && ev.name != "":
				ch <- ev
				ev = serveEvent{}
			}
		}
	}()
	return ch, cancel
}

// next waits up to d for an event named name, skipping heartbeats.
func nextEvent(t *testing.T, ch <-chan serveEvent, name string, d time.Duration) serveEvent {
	t.Helper()
	deadline := time.After(d)
	for {
		select {
		case ev, ok := <-ch:
			if !ok {
				t.Fatalf("event stream closed while waiting for %q", name)
			}
			if ev.name == name {
				return ev
			}
		case <-deadline:
			t.Fatalf("no %q event within %v", name, d)
		}
	}
}

func TestServeAdminFlow(t *testing.T) {
	ts := startServe(t)
	ts.addUser("kari", "admin,compliance,staff", "kari-passord-1")
	ts.addUser("ola", "staff", "ola-passord-12")
	admin := ts.login("kari", "kari-passord-1")

	// The built-in bundle is published on first start.
	resp, body := ts.do("GET", "/api/v1/bundle", admin, nil)
	etag0 := resp.Header.Get("ETag")
	if resp.StatusCode != 200 || !strings.HasPrefix(etag0, `"`) || resp.Header.Get("X-Postvakt-Version") != rules.Builtin().Version {
		t.Fatalf("GET /bundle: %d %q %q", resp.StatusCode, etag0, resp.Header)
	}
	if _, err := rules.Parse(body); err != nil {
		t.Fatalf("GET /bundle served an invalid bundle: %v", err)
	}
	if resp, _ := ts.do("GET", "/api/v1/bundle", admin, nil, "If-None-Match", etag0); resp.StatusCode != http.StatusNotModified {
		t.Fatalf("If-None-Match with the current ETag: %d, want 304", resp.StatusCode)
	}

	events, stopEvents := ts.subscribe(admin)
	defer stopEvents()
	hello := nextEvent(t, events, "hello", time.Second)
	if !strings.Contains(hello.data, `"version":"`+rules.Builtin().Version+`"`) || !strings.Contains(hello.data, `"crisis"`) {
		t.Errorf("hello event %s", hello.data)
	}
	nextEvent(t, events, "heartbeat", time.Second)

	// A broken bundle is refused with every error located.
	broken := bytes.Replace(serveTestBundle(t, "t-1", false), []byte(`"severity":"block"`), []byte(`"severity":"fatal"`), 1)
	broken = bytes.Replace(broken, []byte(`"category":"case"`), []byte(`"category":""`), 1)
	var e422 struct {
		Error struct {
			Code    string
			Details []struct{ Path, Rule, Message string }
		}
	}
	json.Unmarshal(ts.want("POST", "/api/v1/admin/bundles", admin, broken, 422), &e422)
	paths := fmt.Sprint(e422.Error.Details)
	if e422.Error.Code != "EINVALID" || len(e422.Error.Details) < 2 || !strings.Contains(paths, "rules[0].severity") || !strings.Contains(paths, "rules[0].category") {
		t.Errorf("broken bundle: %+v, want EINVALID at rules[0].severity and rules[0].category", e422.Error)
	}
	// So is one whose own examples fail.
	json.Unmarshal(ts.want("POST", "/api/v1/admin/bundles", admin, serveTestBundle(t, "t-1", true), 422), &e422)
	if len(e422.Error.Details) == 0 || e422.Error.Details[0].Path != "examples[0]" {
		t.Errorf("failing example: %+v, want a problem at examples[0]", e422.Error)
	}
	// And malformed JSON.
	ts.want("POST", "/api/v1/admin/bundles", admin, []byte(`{"version": "t-1", `), 400)

	ts.want("POST", "/api/v1/admin/bundles", admin, serveTestBundle(t, "t-1", false), 201)
	ts.want("POST", "/api/v1/admin/bundles", admin, serveTestBundle(t, "t-1", false), 409)
	ts.want("POST", "/api/v1/admin/bundles", admin, serveTestBundle(t, "t-2", false), 201)
	ts.want("POST", "/api/v1/admin/bundles/t-9/publish", admin, nil, 404)

	publish := func(version string, rollback bool) string {
		t.Helper()
		start := time.Now()
		var p struct {
			Version  string
			ETag     string
			Rollback bool
		}
		json.Unmarshal(ts.want("POST", "/api/v1/admin/bundles/"+version+"/publish", admin, nil, 200), &p)
		if p.Version != version || p.Rollback != rollback {
			t.Errorf("publish %s: %+v, want rollback=%v", version, p, rollback)
		}
		ev := nextEvent(t, events, "bundle", time.Second)
		if d := time.Since(start); d > time.Second {
			t.Errorf("bundle event %v after publishing, want within 1 s", d)
		}
		if !strings.Contains(ev.data, `"version":"`+version+`"`) || !strings.Contains(ev.data, p.ETag[1:len(p.ETag)-1]) {
			t.Errorf("bundle event %s, want version %s and ETag %s", ev.data, version, p.ETag)
		}
		resp, _ := ts.do("GET", "/api/v1/bundle", admin, nil)
		if resp.Header.Get("ETag") != p.ETag || resp.Header.Get("X-Postvakt-Version") != version {
			t.Errorf("GET /bundle after publishing %s: ETag %s version %s", version, resp.Header.Get("ETag"), resp.Header.Get("X-Postvakt-Version"))
		}
		return p.ETag
	}
	etag1 := publish("t-1", false)
	if resp, _ := ts.do("GET", "/api/v1/bundle", admin, nil, "If-None-Match", etag0); resp.StatusCode != 200 {
		t.Errorf("If-None-Match with the old ETag: %d, want 200", resp.StatusCode)
	}
	publish("t-2", false)
	if got := publish("t-1", true); got != etag1 {
		t.Errorf("rollback to t-1 serves ETag %s, want %s", got, etag1)
	}

	// The stored engine runs on a draft.
	var rep struct {
		Verdict, Bundle string
		Findings        []struct{ Rule string }
	}
	json.Unmarshal(ts.want("POST", "/api/v1/admin/check", admin, map[string]any{"draft": map[string]string{"id": "d1", "text": "Saken er unntatt offentlighet."}}, 200), &rep)
	if rep.Verdict != "block" || rep.Bundle != "t-1" || len(rep.Findings) != 1 || rep.Findings[0].Rule != "case.confidential" {
		t.Errorf("admin check: %+v", rep)
	}

	// Crisis mode reaches the event stream too.
	ts.want("PUT", "/api/v1/admin/crisis", admin, map[string]any{"active": true, "message": "Flom i sentrum", "team": []string{"kari"}}, 200)
	if ev := nextEvent(t, events, "crisis", time.Second); !strings.Contains(ev.data, `"active":true`) {
		t.Errorf("crisis event %s", ev.data)
	}

	// Staff may read the bundle but not administer.
	staff := ts.login("ola", "ola-passord-12")
	ts.want("GET", "/api/v1/bundle", staff, nil, 200)
	ts.want("POST", "/api/v1/admin/bundles/t-2/publish", staff, nil, 403)

	// Every admin action is in the audit log.
	var page struct {
		Entries []audit.Record `json:"entries"`
	}
	json.Unmarshal(ts.want("GET", "/api/v1/audit?user=kari&platform=server", admin, nil, 200), &page)
	var actions []string
	for _, r := range page.Entries {
		actions = append(actions, r.Action+":"+r.Bundle)
	}
	if got := strings.Join(actions, " "); got != "crisis_on: bundle_rolled_back:t-1 bundle_published:t-2 bundle_published:t-1 bundle_created:t-2 bundle_created:t-1" {
		t.Errorf("admin actions in the log: %s", got)
	}

	// Shutting down with a stream open is graceful and quick.
	start := time.Now()
	if err := ts.stop(); err != nil {
		t.Fatalf("serve returned %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("shutdown took %v", d)
	}
	logs := ts.Logs.String()
	for _, secret := range []string{"kari-passord-1", "unntatt offentlighet", "Flom i sentrum", "ola"} {
		if strings.Contains(logs, secret) {
			t.Errorf("the logs contain %q", secret)
		}
	}
	if !strings.Contains(logs, `"msg":"request"`) {
		t.Errorf("no request logs in:\n%s", logs)
	}
}

func serveEntries(n int, from int) []map[string]any {
	var es []map[string]any
	for i := from; i < from+n; i++ {
		es = append(es, map[string]any{
			"id": fmt.Sprintf("6f1c2a3b-4d5e-4f60-8a7b-%012d", i), "user": "someone-else", "unit": "oppvekst",
			"platform": "facebook", "host": "www.facebook.com", "kind": "post", "at": "2026-11-20T10:00:00Z",
			"bundle": "builtin-1", "action": "overridden", "reason": "Godkjent av leder <script>alert(1)</script>",
			"findings": []map[string]string{{"rule": "pii.phone", "severity": "warn", "excerpt": "9*****78"}},
			"archive":  false, "text_sha256": audit.TextHash("Ring 91234578"),
		})
	}
	return es
}

func TestServeAuditTrail(t *testing.T) {
	ts := startServe(t)
	ts.addUser("kari", "compliance", "kari-passord-1")
	ts.addUser("ola", "staff", "ola-passord-12")
	staff := ts.login("ola", "ola-passord-12")
	comp := ts.login("kari", "kari-passord-1")

	batch := map[string]any{"entries": serveEntries(3, 1)}
	for i, want := range []string{`"accepted":3,"duplicates":0`, `"accepted":0,"duplicates":3`, `"accepted":0,"duplicates":3`} {
		if b := ts.want("POST", "/api/v1/audit", staff, batch, 200); !strings.Contains(string(b), want) {
			t.Errorf("send %d: %s, want %s", i+1, b, want)
		}
	}
	ts.want("POST", "/api/v1/audit", staff, map[string]any{"entries": serveEntries(3, 4)}, 200)

	var page struct {
		Entries    []audit.Record `json:"entries"`
		NextCursor string         `json:"next_cursor"`
	}
	json.Unmarshal(ts.want("GET", "/api/v1/audit?limit=4", comp, nil, 200), &page)
	if len(page.Entries) != 4 || page.NextCursor == "" || page.Entries[0].Seq != 6 {
		t.Fatalf("first page: %d entries, cursor %q", len(page.Entries), page.NextCursor)
	}
	first := page.Entries[0]
	if first.User != "ola" || first.Reason != "Godkjent av leder" {
		t.Errorf("stored entry: user %q reason %q; want the token's user and the reason without the script", first.User, first.Reason)
	}
	cursor := page.NextCursor
	page.Entries, page.NextCursor = nil, ""
	json.Unmarshal(ts.want("GET", "/api/v1/audit?limit=4&cursor="+cursor, comp, nil, 200), &page)
	if len(page.Entries) != 2 || page.NextCursor != "" || page.Entries[1].Seq != 1 {
		t.Errorf("second page: %+v", page)
	}

	// An intact log verifies, through the API and from an export.
	var rep audit.Report
	json.Unmarshal(ts.want("GET", "/api/v1/audit/verify", comp, nil, 200), &rep)
	if !rep.OK || rep.Entries != 6 {
		t.Fatalf("verify intact log: %+v", rep)
	}
	dir := t.TempDir()
	save := func(name, path string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, ts.want("GET", path, comp, nil, 200), 0o644)
		return p
	}
	cpFile := save("checkpoints.json", "/api/v1/audit/checkpoints")
	export := save("export.jsonl", "/api/v1/audit/export?format=jsonl")
	pub := filepath.Join(ts.Data, AuditPubFile)
	verifyCLI := func(file string) (string, error) {
		var out, errb bytes.Buffer
		err := run(context.Background(), []string{"audit", "verify", "--checkpoints", cpFile, "--pubkey", pub, file}, serveNoEnv, nil, &out, &errb)
		return out.String() + errb.String(), err
	}
	if out, err := verifyCLI(export); err != nil || !strings.Contains(out, "ok: 6 entries") {
		t.Fatalf("audit verify of an intact export: %v\n%s", err, out)
	}
	// The command line exports the same log, with its checkpoints.
	var cliExport bytes.Buffer
	cliCP := filepath.Join(dir, "cli-checkpoints.json")
	if err := run(context.Background(), []string{"audit", "export", "--data", ts.Data, "--checkpoints", cliCP}, serveNoEnv, nil, &cliExport, io.Discard); err != nil {
		t.Fatalf("audit export: %v", err)
	}
	if apiExport, _ := os.ReadFile(export); !bytes.Equal(cliExport.Bytes(), apiExport) {
		t.Errorf("audit export differs from GET /audit/export:\n%s\n%s", cliExport.Bytes(), apiExport)
	}
	var o0 bytes.Buffer
	if err := run(context.Background(), []string{"audit", "verify", "--checkpoints", cliCP, "-"}, serveNoEnv, &cliExport, &o0, &o0); err != nil || !strings.Contains(o0.String(), "trusting key") {
		t.Errorf("audit verify of the CLI export with the key from its checkpoints: %v\n%s", err, o0.String())
	}
	csv := string(ts.want("GET", "/api/v1/audit/export?format=csv", comp, nil, 200))
	if lines := strings.Count(csv, "\n"); lines != 7 || !strings.HasPrefix(csv, "seq,id,received") {
		t.Errorf("CSV export has %d lines:\n%s", lines, csv)
	}

	// Someone with the database file edits one row and deletes another.
	db, err := sql.Open("sqlite", filepath.Join(ts.Data, "postvakt.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE audit SET reason = 'x' WHERE seq = 2`); err == nil {
		t.Fatal("the audit table accepted an UPDATE")
	}
	for _, q := range []string{`DROP TRIGGER audit_no_update`, `DROP TRIGGER audit_no_delete`,
		`UPDATE audit SET action = 'published', reason = '' WHERE seq = 2`, `DELETE FROM audit WHERE seq = 5`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	json.Unmarshal(ts.want("GET", "/api/v1/audit/verify", comp, nil, 200), &rep)
	var faults []string
	for _, f := range rep.Faults {
		faults = append(faults, fmt.Sprintf("%s@%d", f.Kind, f.Position))
	}
	if rep.OK || fmt.Sprint(faults) != "[edited@2 checkpoint@3 deleted@5]" {
		t.Errorf("verify after tampering: %v, want edited@2, checkpoint@3 and deleted@5\n%+v", faults, rep.Faults)
	}
	tampered := save("tampered.jsonl", "/api/v1/audit/export?format=jsonl")
	out, err := verifyCLI(tampered)
	if err == nil || !strings.Contains(out, "edited: position 2:") || !strings.Contains(out, "deleted: position 5:") {
		t.Errorf("audit verify of a tampered export: err %v\n%s", err, out)
	}
	// The CLI also verifies the database directly.
	var o bytes.Buffer
	if err := run(context.Background(), []string{"audit", "verify", "--data", ts.Data}, serveNoEnv, nil, &o, io.Discard); err == nil || !strings.Contains(o.String(), "position 2") {
		t.Errorf("audit verify --data: err %v\n%s", err, o.String())
	}
}

// Issue #13: /metrics on the main address needs the token in the data
// directory; --metrics-addr serves it without one on its own address.
func TestServeMetrics(t *testing.T) {
	ts := startServeWith(t, "--metrics-addr", "127.0.0.1:0")
	if r, _ := ts.do("GET", "/metrics", "", nil); r.StatusCode != 401 {
		t.Errorf("/metrics without a token: %d, want 401", r.StatusCode)
	}
	tok, err := os.ReadFile(filepath.Join(ts.Data, MetricsTokenFile))
	if err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(filepath.Join(ts.Data, MetricsTokenFile)); fi.Mode().Perm() != 0o600 {
		t.Errorf("%s is %v, want 0600", MetricsTokenFile, fi.Mode().Perm())
	}
	if r, b := ts.do("GET", "/metrics", strings.TrimSpace(string(tok)), nil); r.StatusCode != 200 || !strings.Contains(string(b), "postvakt_sse_clients") {
		t.Errorf("/metrics with the token: %d", r.StatusCode)
	}
	resp, err := http.Get(ts.MetricsURL)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), "postvakt_http_requests_total") {
		t.Errorf("%s: %d\n%s", ts.MetricsURL, resp.StatusCode, b)
	}
}
