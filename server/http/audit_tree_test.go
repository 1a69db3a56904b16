package http_test

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/postvakt/postvakt/server"
	pvhttp "github.com/postvakt/postvakt/server/http"
	"github.com/postvakt/postvakt/shared/audit"
	"golang.org/x/mod/sumdb/tlog"
)

type ingestAnswer struct {
	Accepted   int    `json:"accepted"`
	Checkpoint string `json:"checkpoint"`
}

type proofAnswer struct {
	Checkpoint string   `json:"checkpoint"`
	Old        int64    `json:"old"`
	New        int64    `json:"new"`
	Seq        int64    `json:"seq"`
	Size       int64    `json:"size"`
	Hash       string   `json:"hash"`
	Proof      []string `json:"proof"`
}

func parseProof(t *testing.T, p []string) []tlog.Hash {
	t.Helper()
	var out []tlog.Hash
	for _, s := range p {
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil || len(b) != 32 {
			t.Fatalf("proof hash %q", s)
		}
		var h tlog.Hash
		copy(h[:], b)
		out = append(out, h)
	}
	return out
}

// TestCheckpointInIngest: each POST /audit answer carries a signed
// checkpoint covering the batch; any signed-in user gets consistency and
// inclusion proofs that verify against it.
func TestCheckpointInIngest(t *testing.T) {
	var pub ed25519.PublicKey
	e := newEnvWith(t, func(c *pvhttp.Config) { pub = c.AuditKey })
	staff := e.login("staff").AccessToken
	var cps []string
	for b := range 3 {
		var es []any
		for i := range 4 {
			es = append(es, entry(10*b+i+1, "fordi"))
		}
		r := e.do("POST", "/api/v1/audit", staff, map[string]any{"entries": es})
		var a ingestAnswer
		json.Unmarshal(r.Body, &a)
		tree, err := audit.OpenCheckpoint(a.Checkpoint, pub)
		if r.Status != 200 || err != nil || tree.N != int64(4*(b+1)) {
			t.Fatalf("batch %d: %d %s: tree %+v, %v", b, r.Status, r.Body, tree, err)
		}
		cps = append(cps, a.Checkpoint)
	}
	r := e.do("GET", "/api/v1/audit/checkpoint", staff, nil)
	if r.Status != 200 || string(r.Body) != cps[2] {
		t.Errorf("GET /audit/checkpoint: %d %q", r.Status, r.Body)
	}
	r = e.do("GET", "/api/v1/audit/proof/consistency?old=4", staff, nil)
	var p proofAnswer
	json.Unmarshal(r.Body, &p)
	if _, _, err := audit.CheckConsistency(cps[0], p.Checkpoint, parseProof(t, p.Proof), pub); r.Status != 200 || err != nil {
		t.Errorf("consistency 4→12: %d %s: %v", r.Status, r.Body, err)
	}
	r = e.do("GET", "/api/v1/audit/proof/inclusion?seq=6&size=8", staff, nil)
	p = proofAnswer{}
	json.Unmarshal(r.Body, &p)
	tree, _ := audit.OpenCheckpoint(cps[1], pub)
	if err := tlog.CheckRecord(parseProof(t, p.Proof), 8, tree.Hash, 5, tlog.RecordHash(audit.LeafData(p.Hash))); r.Status != 200 || err != nil {
		t.Errorf("inclusion of 6 in 8: %d %s: %v", r.Status, r.Body, err)
	}
	if r := e.do("GET", "/api/v1/audit/proof/consistency?old=4&new=99", staff, nil); r.Status != 422 {
		t.Errorf("proof past the signed size: %d, want 422", r.Status)
	}

	// A browser that saw a checkpoint the log does not extend reports it;
	// compliance sees the report in the log.
	r = e.do("POST", "/api/v1/audit/alarm", staff, map[string]string{"seen": cps[1], "current": cps[2], "error": "consistency proof failed"})
	if r.Status != 202 {
		t.Fatalf("alarm: %d %s", r.Status, r.Body)
	}
	comp := e.login("comp").AccessToken
	r = e.do("GET", "/api/v1/audit?action="+audit.ActionCheckpointAlarm, comp, nil)
	if r.Status != 200 || !strings.Contains(string(r.Body), "kontrollpunktet for 8 oppf") {
		t.Errorf("alarm in the log: %d %s", r.Status, r.Body)
	}
	if r := e.do("POST", "/api/v1/audit/alarm", staff, map[string]string{"seen": "forged\n1\nAAAA\n"}); r.Status != 422 {
		t.Errorf("alarm with a forged checkpoint: %d, want 422", r.Status)
	}
}

// TestVerifyAgainstWitness: /audit/verify fails when the log is not an
// extension of a checkpoint a witness holds (here: one for more entries
// than the log has, as after a cut tail).
func TestVerifyAgainstWitness(t *testing.T) {
	var held string
	e := newEnvWith(t, func(c *pvhttp.Config) {
		c.AuditAnchors = func(context.Context) ([]server.Anchor, error) {
			if held == "" {
				return nil, nil
			}
			return []server.Anchor{{Checkpoint: held, Source: "vitne"}}, nil
		}
	})
	staff, comp := e.login("staff").AccessToken, e.login("comp").AccessToken
	r := e.do("POST", "/api/v1/audit", staff, map[string]any{"entries": []any{entry(1, "fordi"), entry(2, "fordi")}})
	var a ingestAnswer
	json.Unmarshal(r.Body, &a)
	var rep audit.Report
	json.Unmarshal(e.do("GET", "/api/v1/audit/verify", comp, nil).Body, &rep)
	if !rep.OK || rep.TreeSize != 2 {
		t.Errorf("verify: %+v", rep)
	}
	held = a.Checkpoint
	json.Unmarshal(e.do("GET", "/api/v1/audit/verify", comp, nil).Body, &rep)
	if !rep.OK || rep.Anchor == "" {
		t.Errorf("verify with the witness's checkpoint of the same log: %+v", rep)
	}
	// The witness holds a checkpoint of 3 records, signed by the log's
	// key: the log has lost its tail.
	held = signedTree(t, e, 3)
	rep = audit.Report{}
	json.Unmarshal(e.do("GET", "/api/v1/audit/verify", comp, nil).Body, &rep)
	if rep.OK || len(rep.Faults) == 0 || rep.Faults[0].Kind != audit.FaultRollback {
		t.Errorf("verify with a longer witness checkpoint: %+v", rep)
	}
}

// signedTree appends a third record to a copy of the log's tree, signed
// with the env's key, as the server would have before a tail was cut.
func signedTree(t *testing.T, e *env, n int64) string {
	t.Helper()
	key := ed25519.NewKeyFromSeed(bytesRepeat(7, 32))
	var hashes []tlog.Hash
	for seq := int64(1); seq < n; seq++ {
		r, err := e.DB.Get(context.Background(), seq)
		if err != nil {
			t.Fatal(err)
		}
		hashes = append(hashes, tlog.RecordHash(audit.LeafData(r.Hash)))
	}
	hashes = append(hashes, tlog.RecordHash([]byte("a record later cut")))
	stored := map[int64]tlog.Hash{}
	for i, h := range hashes {
		hs, err := tlog.StoredHashesForRecordHash(int64(i), h, tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
			out := make([]tlog.Hash, len(idx))
			for j, x := range idx {
				out[j] = stored[x]
			}
			return out, nil
		}))
		if err != nil {
			t.Fatal(err)
		}
		for j, x := range hs {
			stored[tlog.StoredHashIndex(0, int64(i))+int64(j)] = x
		}
	}
	th, err := tlog.TreeHash(n, tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for j, x := range idx {
			out[j] = stored[x]
		}
		return out, nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	note, err := audit.SignCheckpointNote(key, tlog.Tree{N: n, Hash: th})
	if err != nil {
		t.Fatal(err)
	}
	return note
}

func bytesRepeat(b byte, n int) []byte { return []byte(strings.Repeat(string([]byte{b}), n)) }
