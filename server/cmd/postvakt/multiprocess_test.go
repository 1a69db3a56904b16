package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/postvakt/postvakt/server"
	"github.com/postvakt/postvakt/server/postgres/pgtest"
	"github.com/postvakt/postvakt/shared/audit"
)

// runMainEnv makes the test binary run the postvakt command instead of the
// tests: TestMultiProcess starts real server processes this way, without
// a separate build.
const runMainEnv = "POSTVAKT_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// startProcess runs `postvakt serve` as a process of its own (this test
// binary re-executed) and returns a harness for it; the process gets
// SIGTERM when the test ends.
func startProcess(t *testing.T, name string, args ...string) *serveHarness {
	t.Helper()
	logs := &serveLogBuffer{}
	cmd := exec.Command(os.Args[0], append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(os.Environ(), runMainEnv+"=1")
	cmd.Stderr = logs
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	stop := func() error {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-done:
			return err
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			return fmt.Errorf("process %s did not stop within 10 s", name)
		}
	}
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Errorf("process %s: %v\n%s", name, err, logs)
		}
	})
	sc := bufio.NewScanner(out)
	if !sc.Scan() {
		t.Fatalf("process %s printed nothing; logs:\n%s", name, logs)
	}
	addr, ok := strings.CutPrefix(sc.Text(), "postvakt: listening on ")
	if !ok {
		t.Fatalf("process %s: first line %q, want the listening address", name, sc.Text())
	}
	go io.Copy(io.Discard, out)
	return &serveHarness{t: t, URL: addr, Logs: logs, stop: stop}
}

// TestMultiProcess runs two server processes on one PostgreSQL database
// (POSTVAKT_TEST_POSTGRES): a bundle published on A reaches B's event
// stream within a second and B serves it at once; a crisis switched on B
// reaches A; and both ingest 5,000 entries at once, in batches of 100,
// while a third client resends A's batches to B, with none lost, none
// doubled and the chain verifying.
func TestMultiProcess(t *testing.T) {
	dsn := pgtest.Schema(t)
	data := t.TempDir()
	flags := []string{"--data", data, "--db", dsn}
	var errb bytes.Buffer
	if err := run(context.Background(), append([]string{"user", "add", "kari", "--role", "admin,compliance,staff", "--password-stdin"}, flags...),
		serveNoEnv, strings.NewReader("kari-passord-1\n"), io.Discard, &errb); err != nil {
		t.Fatalf("user add: %v\n%s", err, errb.String())
	}
	// A makes the token key in the shared data directory; B reads it.
	a := startProcess(t, "A", append(flags, "--sse-heartbeat", "1s")...)
	b := startProcess(t, "B", append(flags, "--sse-heartbeat", "1s")...)
	token := a.login("kari", "kari-passord-1")

	// A bundle published on A: B's stream hears it within a second.
	eventsB, stopB := b.subscribe(token)
	defer stopB()
	nextEvent(t, eventsB, "hello", 5*time.Second)
	if resp, _ := b.do("GET", "/api/v1/bundle", token, nil); resp.Header.Get("X-Postvakt-Version") == "t-2" {
		t.Fatal("B serves t-2 before it was published")
	}
	a.want("POST", "/api/v1/admin/bundles", token, serveTestBundle(t, "t-2", false), 201)
	// Wait until B's listener is connected: its process started before
	// the listener's connection was made.
	pgtest.WaitForListeners(t, dsn, 2)
	start := time.Now()
	var pub struct{ Version, ETag string }
	json.Unmarshal(a.want("POST", "/api/v1/admin/bundles/t-2/publish", token, nil, 200), &pub)
	published := time.Now()
	ev := nextEvent(t, eventsB, "bundle", 5*time.Second)
	// Measured from sending the request, which bounds the time from the
	// publication's commit to the event from above.
	latency := time.Since(start)
	t.Logf("bundle event on B %v after the publish request was sent to A (%v after A answered)", latency, time.Since(published))
	if latency > time.Second {
		t.Errorf("the bundle event reached B %v after the publish request was sent to A, want within 1 s", latency)
	}
	if want := fmt.Sprintf(`{"version":"t-2","etag":%q}`, pub.ETag); ev.data != want {
		t.Errorf("bundle event on B: %s, want %s", ev.data, want)
	}
	if resp, _ := b.do("GET", "/api/v1/bundle", token, nil); resp.Header.Get("X-Postvakt-Version") != "t-2" || resp.Header.Get("ETag") != pub.ETag {
		t.Errorf("B serves %s %s right after the publish on A, want t-2 %s", resp.Header.Get("X-Postvakt-Version"), resp.Header.Get("ETag"), pub.ETag)
	}

	// A crisis switched on B: A's stream hears it.
	eventsA, stopA := a.subscribe(token)
	defer stopA()
	nextEvent(t, eventsA, "hello", 5*time.Second)
	start = time.Now()
	b.want("PUT", "/api/v1/admin/crisis", token, map[string]any{"active": true, "message": "Flom i sentrum", "team": []string{"kari"}}, 200)
	ev = nextEvent(t, eventsA, "crisis", 5*time.Second)
	t.Logf("crisis event on A %v after the request to B was sent", time.Since(start))
	if !strings.Contains(ev.data, `"active":true`) || !strings.Contains(ev.data, "Flom i sentrum") {
		t.Errorf("crisis event on A: %s", ev.data)
	}

	// Both ingest 5,000 entries at once; a third client resends A's
	// batches to B, as a browser retrying through another process would.
	const perProcess, batch = 5000, 100
	var mu sync.Mutex
	var total server.AppendResult
	logKey, err := readPubKey(filepath.Join(data, AuditPubFile))
	if err != nil {
		t.Fatal(err)
	}
	var answers []string
	send := func(h *serveHarness, from int) {
		var resp struct{ server.AppendResult }
		json.Unmarshal(h.want("POST", "/api/v1/audit", token, map[string]any{"entries": serveEntries(batch, from)}, 200), &resp)
		mu.Lock()
		total.Accepted += resp.Accepted
		total.Duplicates += resp.Duplicates
		answers = append(answers, resp.Checkpoint)
		mu.Unlock()
	}
	// Meanwhile a client, as the extension does, keeps the newest
	// checkpoint it has seen and checks a consistency proof from it to
	// the current one, asking each process in turn.
	ingesting := make(chan struct{})
	checked := make(chan int)
	go func() {
		seen, n := "", 0
		defer func() { checked <- n }()
		for i := 0; ; i++ {
			select {
			case <-ingesting:
				return
			default:
			}
			h := a
			if i%2 == 1 {
				h = b
			}
			old := int64(0)
			if seen != "" {
				tr, _ := audit.OpenCheckpoint(seen, logKey)
				old = tr.N
			}
			var p struct {
				Checkpoint string   `json:"checkpoint"`
				Proof      []string `json:"proof"`
			}
			json.Unmarshal(h.want("GET", fmt.Sprintf("/api/v1/audit/proof/consistency?old=%d", old), token, nil, 200), &p)
			proof, err := audit.ParseProof(strings.Join(p.Proof, "\n"))
			if err != nil {
				t.Errorf("proof from %s: %v", h.URL, err)
				return
			}
			if seen != "" {
				if _, _, err := audit.CheckConsistency(seen, p.Checkpoint, proof, logKey); err != nil {
					t.Errorf("consistency from %d through %s: %v", old, h.URL, err)
					return
				}
			} else if _, err := audit.OpenCheckpoint(p.Checkpoint, logKey); err != nil {
				t.Errorf("checkpoint from %s: %v", h.URL, err)
				return
			}
			seen = p.Checkpoint
			n++
		}
	}()
	var wg sync.WaitGroup
	start = time.Now()
	for _, w := range []struct {
		h    *serveHarness
		from int
	}{{a, 1}, {a, 1 + perProcess/2}, {b, 1 + perProcess}, {b, 1 + perProcess + perProcess/2}, {b, 1}} {
		wg.Go(func() {
			n := perProcess / 2
			if w.h == b && w.from == 1 {
				n = perProcess // the resender
			}
			for i := 0; i < n; i += batch {
				send(w.h, w.from+i)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(ingesting)
	if n := <-checked; n < 2 {
		t.Errorf("the checking client made %d consistency checks during the ingest, want several", n)
	} else {
		t.Logf("%d consistency checks passed during the ingest, through both processes", n)
	}
	// Every answer carries a checkpoint of the log's key; every tree size
	// was signed once.
	for _, cp := range answers {
		if _, err := audit.OpenCheckpoint(cp, logKey); err != nil {
			t.Fatalf("an ingest answer's checkpoint: %v", err)
		}
	}
	var sizes, distinct int
	if err := pgtest.QueryRow(dsn, `SELECT COUNT(*) FROM audit_trees`, &sizes); err != nil {
		t.Fatal(err)
	}
	pgtest.QueryRow(dsn, `SELECT COUNT(DISTINCT note) FROM audit_trees`, &distinct)
	if sizes != distinct || sizes < len(answers)/2 {
		t.Errorf("%d tree checkpoints, %d distinct, for %d answers", sizes, distinct, len(answers))
	}
	t.Logf("ingested %d entries (+%d resent) through two processes in %v: %.0f entries/s", total.Accepted, total.Duplicates, elapsed, float64(total.Accepted+total.Duplicates)/elapsed.Seconds())
	if want := (server.AppendResult{Accepted: 2 * perProcess, Duplicates: perProcess}); total != want {
		t.Errorf("ingest: %+v, want %+v", total, want)
	}

	// The chain is whole: verified through each process and by the
	// command line, with every entry stored once.
	for name, h := range map[string]*serveHarness{"A": a, "B": b} {
		var rep audit.Report
		json.Unmarshal(h.want("GET", "/api/v1/audit/verify", token, nil, 200), &rep)
		// 10,000 entries, plus account_created, bundle_created, bundle_published and crisis_on.
		if !rep.OK || rep.Entries != 2*perProcess+4 || rep.Size != rep.Entries {
			t.Errorf("verify through %s: %+v", name, rep)
		}
	}
	var out bytes.Buffer
	if err := run(context.Background(), append([]string{"audit", "verify"}, flags...), serveNoEnv, nil, &out, &out); err != nil ||
		!strings.Contains(out.String(), fmt.Sprintf("ok: %d entries", 2*perProcess+4)) {
		t.Errorf("audit verify --db: %v\n%s", err, out.String())
	}
	// And from a machine that holds only the public key.
	out.Reset()
	if err := run(context.Background(), []string{"audit", "verify", "--db", dsn, "--data", t.TempDir(), "--pubkey", filepath.Join(data, AuditPubFile)},
		serveNoEnv, nil, &out, &out); err != nil || !strings.Contains(out.String(), fmt.Sprintf("ok: %d entries", 2*perProcess+4)) {
		t.Errorf("audit verify --db --pubkey without the data directory: %v\n%s", err, out.String())
	}
	var ids int
	if err := pgtest.QueryRow(dsn, `SELECT COUNT(DISTINCT id) FROM audit`, &ids); err != nil || ids != 2*perProcess+4 {
		t.Errorf("distinct ids in the log: %d (%v), want %d", ids, err, 2*perProcess+4)
	}
}
