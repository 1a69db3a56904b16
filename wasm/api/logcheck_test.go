package api

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/postvakt/postvakt/shared/audit"
)

// treeOf signs a checkpoint of a tree of n leaves "0".."n-1" (prefix
// changes the leaves, for a fork) and keeps its hashes for proofs.
type memTree map[int64]tlog.Hash

func (m memTree) ReadHashes(idx []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(idx))
	for i, x := range idx {
		out[i] = m[x]
	}
	return out, nil
}

func build(t *testing.T, key ed25519.PrivateKey, leaves []string) (memTree, []string) {
	t.Helper()
	m := memTree{}
	var cps []string
	for i, l := range leaves {
		hs, err := tlog.StoredHashes(int64(i), []byte(l), m)
		if err != nil {
			t.Fatal(err)
		}
		for j, h := range hs {
			m[tlog.StoredHashIndex(0, int64(i))+int64(j)] = h
		}
		th, _ := tlog.TreeHash(int64(i+1), m)
		cp, err := audit.SignCheckpointNote(key, tlog.Tree{N: int64(i + 1), Hash: th})
		if err != nil {
			t.Fatal(err)
		}
		cps = append(cps, cp)
	}
	return m, cps
}

func proofJSON(t *testing.T, m memTree, n, old int64) string {
	p, err := tlog.ProveTree(n, old, m)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, h := range p {
		out = append(out, base64.StdEncoding.EncodeToString(h[:]))
	}
	b, _ := json.Marshal(append([]string{}, out...))
	return string(b)
}

func TestVerifyConsistency(t *testing.T) {
	var a API
	key := ed25519.NewKeyFromSeed(make([]byte, 32))
	pub := base64.StdEncoding.EncodeToString(key.Public().(ed25519.PublicKey))
	m, cps := build(t, key, strings.Split("a b c d e f g", " "))
	fork, fcps := build(t, key, strings.Split("a b c X e f g", " "))
	other, _ := base64.StdEncoding.DecodeString(pub)
	other[0] ^= 1
	for _, tc := range []struct {
		name                string
		older, newer, proof string
		pub                 string
		want                string
	}{
		{"first checkpoint", "", cps[2], "[]", pub, `{"ok":true,"old":0,"size":3}`},
		{"grown", cps[2], cps[6], proofJSON(t, m, 7, 3), pub, `{"ok":true,"old":3,"size":7}`},
		{"same", cps[4], cps[4], "[]", pub, `{"ok":true,"old":5,"size":5}`},
		{"forked", cps[4], fcps[6], proofJSON(t, fork, 7, 5), pub, "EINCONSISTENT"},
		{"rolled back", cps[6], cps[3], "[]", pub, "EINCONSISTENT"},
		{"wrong proof", cps[2], cps[6], proofJSON(t, m, 7, 4), pub, "EINCONSISTENT"},
		{"another key", cps[2], cps[6], proofJSON(t, m, 7, 3), base64.StdEncoding.EncodeToString(other), "EINCONSISTENT"},
		{"bad proof", cps[2], cps[6], "nope", pub, "EINVALID"},
	} {
		got := a.VerifyConsistency(tc.older, tc.newer, tc.proof, tc.pub)
		if !strings.Contains(got, tc.want) {
			t.Errorf("%s: got %s, want %s", tc.name, got, tc.want)
		}
	}
}
