package api

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"

	"github.com/postvakt/postvakt/shared/audit"
	"golang.org/x/mod/sumdb/tlog"
)

// VerifyConsistency checks that the audit log's checkpoint newer extends
// older, the newest the extension had seen ("" when none): both signed
// notes of the log whose ed25519 public key is pub (base64), proof a JSON
// array of base64 hashes (a consistency proof from older's size to
// newer's, as GET /api/v1/audit/proof/consistency sends it). It answers
// {"ok": true, "old": N, "size": M}, or an error: EINCONSISTENT when the
// log was rolled back, rewritten or forked or a checkpoint is not the
// log's, EINVALID for malformed arguments.
func (a *API) VerifyConsistency(older, newer, proof, pub string) string {
	key, err := base64.StdEncoding.DecodeString(pub)
	if err != nil || len(key) != ed25519.PublicKeySize {
		return errJSON(EInvalid, "the public key is not 32 bytes of base64", nil)
	}
	var ps []string
	if err := json.Unmarshal([]byte(proof), &ps); err != nil {
		return errJSON(EInvalid, "the proof is not a JSON array of base64 hashes", nil)
	}
	hs := make([]tlog.Hash, len(ps))
	for i, p := range ps {
		b, err := base64.StdEncoding.DecodeString(p)
		if err != nil || len(b) != tlog.HashSize {
			return errJSON(EInvalid, "a proof hash is not 32 bytes of base64", nil)
		}
		copy(hs[i][:], b)
	}
	n, err := audit.OpenCheckpoint(newer, key)
	if err != nil {
		return errJSON(EInconsistent, err.Error(), nil)
	}
	if older == "" {
		return okJSON(map[string]any{"ok": true, "old": 0, "size": n.N})
	}
	o, _, err := audit.CheckConsistency(older, newer, hs, key)
	if err != nil {
		return errJSON(EInconsistent, err.Error(), nil)
	}
	return okJSON(map[string]any{"ok": true, "old": o.N, "size": n.N})
}
