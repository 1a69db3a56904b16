package audit

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// The Merkle tree and its checkpoints.
//
// Every record's chain hash (LeafData) is a leaf of an RFC 6962 Merkle
// tree kept with golang.org/x/mod/sumdb/tlog. After each append the
// server signs a checkpoint of the tree in the C2SP tlog-checkpoint
// format, as a signed note (golang.org/x/mod/sumdb/note, ed25519):
//
//	postvakt/audit/<key id>
//	<tree size>
//	<root hash, base64>
//
//	— postvakt/audit/<key id> <signature>
//
// A client that keeps the newest checkpoint it has seen asks for a
// consistency proof from it to the server's current one (CheckConsistency);
// a log rolled back, or rewritten and rehashed, or showing different
// histories to different clients, fails that proof. Witnesses keep and
// cosign checkpoints in the same way, so a verifier has an anchor outside
// the database.

// LogOrigin is the origin line of the checkpoints signed with the key
// whose public half is pub, and the name of that key in signed notes.
func LogOrigin(pub ed25519.PublicKey) string { return "postvakt/audit/" + KeyID(pub) }

// NoteVerifierKey returns the signed-note verifier key (name+hash+key) of
// a log's or a witness's public key, under name.
func NoteVerifierKey(name string, pub ed25519.PublicKey) (string, error) {
	return note.NewEd25519VerifierKey(name, pub)
}

// NoteSigner returns a signed-note signer for an ed25519 key under name.
func NoteSigner(name string, key ed25519.PrivateKey) (note.Signer, error) {
	vkey, err := NoteVerifierKey(name, key.Public().(ed25519.PublicKey))
	if err != nil {
		return nil, err
	}
	// vkey is name+hash+base64(alg||pub); the signer key has the same
	// name and hash and the seed in place of the public key.
	parts := strings.Split(vkey, "+")
	skey := "PRIVATE+KEY+" + name + "+" + parts[1] + "+" + base64.StdEncoding.EncodeToString(append([]byte{1}, key.Seed()...))
	return note.NewSigner(skey)
}

// NoteVerifier returns the verifier of signatures by pub under name.
func NoteVerifier(name string, pub ed25519.PublicKey) (note.Verifier, error) {
	vkey, err := NoteVerifierKey(name, pub)
	if err != nil {
		return nil, err
	}
	return note.NewVerifier(vkey)
}

// FormatCheckpoint is the text of a checkpoint of tree for origin.
func FormatCheckpoint(origin string, tree tlog.Tree) string {
	return fmt.Sprintf("%s\n%d\n%s\n", origin, tree.N, base64.StdEncoding.EncodeToString(tree.Hash[:]))
}

// SignCheckpointNote returns the signed checkpoint of tree, as a note
// signed with key under the log's origin.
func SignCheckpointNote(key ed25519.PrivateKey, tree tlog.Tree) (string, error) {
	origin := LogOrigin(key.Public().(ed25519.PublicKey))
	s, err := NoteSigner(origin, key)
	if err != nil {
		return "", err
	}
	msg, err := note.Sign(&note.Note{Text: FormatCheckpoint(origin, tree)}, s)
	return string(msg), err
}

// ParseCheckpoint reads a checkpoint's text (the note's body) into its
// origin and tree.
func ParseCheckpoint(text string) (string, tlog.Tree, error) {
	lines := strings.SplitN(text, "\n", 4)
	if len(lines) < 4 {
		return "", tlog.Tree{}, errors.New("a checkpoint has an origin, a size and a root hash, one a line")
	}
	n, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || n < 0 || strconv.FormatInt(n, 10) != lines[1] {
		return "", tlog.Tree{}, errors.New("the checkpoint's size is not a number")
	}
	h, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(h) != tlog.HashSize {
		return "", tlog.Tree{}, errors.New("the checkpoint's root hash is not 32 bytes of base64")
	}
	var t tlog.Tree
	t.N = n
	copy(t.Hash[:], h)
	return lines[0], t, nil
}

// OpenCheckpoint verifies a signed checkpoint: it must be signed by pub
// under the log's origin and name that origin. Other signatures (a
// witness's cosignature) are allowed and ignored.
func OpenCheckpoint(signed string, pub ed25519.PublicKey) (tlog.Tree, error) {
	origin := LogOrigin(pub)
	v, err := NoteVerifier(origin, pub)
	if err != nil {
		return tlog.Tree{}, err
	}
	n, err := note.Open([]byte(signed), note.VerifierList(v))
	if err != nil {
		return tlog.Tree{}, fmt.Errorf("the checkpoint is not signed by the log's key %s: %v", KeyID(pub), err)
	}
	o, t, err := ParseCheckpoint(n.Text)
	if err != nil {
		return tlog.Tree{}, err
	}
	if o != origin {
		return tlog.Tree{}, fmt.Errorf("the checkpoint is for log %q, not %q", o, origin)
	}
	return t, nil
}

// FormatProof writes a proof as base64 hashes, one a line (as the C2SP
// witness protocol and the proof endpoints send them).
func FormatProof(p []tlog.Hash) string {
	var b bytes.Buffer
	for _, h := range p {
		b.WriteString(base64.StdEncoding.EncodeToString(h[:]))
		b.WriteByte('\n')
	}
	return b.String()
}

// ParseProof reads what FormatProof writes.
func ParseProof(s string) ([]tlog.Hash, error) {
	var out []tlog.Hash
	for _, l := range strings.Split(strings.TrimSpace(s), "\n") {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		b, err := base64.StdEncoding.DecodeString(l)
		if err != nil || len(b) != tlog.HashSize {
			return nil, errors.New("a proof line is not a base64 hash")
		}
		var h tlog.Hash
		copy(h[:], b)
		out = append(out, h)
	}
	return out, nil
}

// ErrInconsistent says two checkpoints of one log cannot both be true:
// the log was rolled back, rewritten or forked.
var ErrInconsistent = errors.New("the checkpoints are not consistent: the log was rolled back, rewritten or forked")

// CheckConsistency verifies that the tree of newer extends the tree of
// older, both signed checkpoints of the log of pub, with proof (a
// consistency proof from older's size to newer's). It returns the two
// trees; an error wrapping ErrInconsistent when the proof fails.
func CheckConsistency(older, newer string, proof []tlog.Hash, pub ed25519.PublicKey) (tlog.Tree, tlog.Tree, error) {
	o, err := OpenCheckpoint(older, pub)
	if err != nil {
		return o, tlog.Tree{}, fmt.Errorf("older checkpoint: %w", err)
	}
	n, err := OpenCheckpoint(newer, pub)
	if err != nil {
		return o, n, fmt.Errorf("newer checkpoint: %w", err)
	}
	return o, n, CheckTrees(o, n, proof)
}

// CheckTrees verifies a consistency proof between two trees of a log.
func CheckTrees(o, n tlog.Tree, proof []tlog.Hash) error {
	switch {
	case n.N < o.N:
		return fmt.Errorf("%w: the log has %d entries, fewer than the %d of a checkpoint seen before", ErrInconsistent, n.N, o.N)
	case o.N == 0:
		return nil
	case n.N == o.N && n.Hash != o.Hash:
		return fmt.Errorf("%w: two different logs of %d entries", ErrInconsistent, n.N)
	}
	if err := tlog.CheckTree(proof, n.N, n.Hash, o.N, o.Hash); err != nil {
		return fmt.Errorf("%w: %v", ErrInconsistent, err)
	}
	return nil
}
