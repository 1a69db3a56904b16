// Package witness is a transparency-log witness for Postvakt's audit log
// (`postvakt witness`), after the C2SP tlog-witness protocol: it keeps
// the newest checkpoint it has seen of each log it knows, and cosigns a
// new checkpoint only when a consistency proof shows that it extends
// that one. A log that was rolled back or forked cannot get a cosigned
// checkpoint, and a verifier that asks the witness for the newest
// checkpoint it holds (GET /checkpoint) gets an anchor the log's own
// database cannot change.
//
//	POST /add-checkpoint  body: "old <size>\n", the consistency proof from
//	                      that size (base64 hashes, one a line), an empty
//	                      line, the signed checkpoint. 200: the witness's
//	                      cosignature line(s); 409 with the size it holds
//	                      (text/x.tlog.size) when old is not that size;
//	                      422 when the proof fails; 403 for a checkpoint
//	                      not signed by the log's key; 404 for an unknown log.
//	GET  /checkpoint?origin=O  the newest checkpoint of log O it holds,
//	                      with its cosignature; 404 when none.
//
// Cosignatures are ed25519 signed-note signatures by the witness's key
// (golang.org/x/mod/sumdb/note).
package witness

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/postvakt/postvakt/shared/audit"
	"golang.org/x/mod/sumdb/note"
)

// Witness holds the newest checkpoint per log in Dir.
type Witness struct {
	// Name is the witness's key name in cosignatures.
	Name string
	Key  ed25519.PrivateKey
	Dir  string
	// Logs are the logs the witness knows, by origin: their keys.
	Logs map[string]ed25519.PublicKey

	mu sync.Mutex
}

// AddLog lets the witness accept checkpoints of the log signed with pub.
func (w *Witness) AddLog(pub ed25519.PublicKey) {
	if w.Logs == nil {
		w.Logs = map[string]ed25519.PublicKey{}
	}
	w.Logs[audit.LogOrigin(pub)] = pub
}

func (w *Witness) path(origin string) string {
	h := sha256.Sum256([]byte(origin))
	return filepath.Join(w.Dir, hex.EncodeToString(h[:8])+".checkpoint")
}

// Latest returns the newest checkpoint of origin the witness holds, or "".
func (w *Witness) Latest(origin string) (string, error) {
	b, err := os.ReadFile(w.path(origin))
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	return string(b), err
}

// Errors of Add, which the handler maps to statuses.
var (
	ErrUnknownLog = errors.New("unknown log")
	ErrSignature  = errors.New("the checkpoint is not signed by the log's key")
)

// ConflictError says the witness holds a checkpoint of another size than
// the one the caller proved from.
type ConflictError struct{ Size int64 }

func (e *ConflictError) Error() string {
	return fmt.Sprintf("the witness holds a checkpoint of size %d", e.Size)
}

// Add cosigns signed, a checkpoint of a known log, if the consistency
// proof shows it extends the checkpoint of size old the witness holds,
// and keeps it as the newest. It returns the cosignature line(s).
func (w *Witness) Add(old int64, proof string, signed string) (string, error) {
	origin, _, _ := strings.Cut(signed, "\n")
	pub, ok := w.Logs[origin]
	if !ok {
		return "", ErrUnknownLog
	}
	tree, err := audit.OpenCheckpoint(signed, pub)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrSignature, err)
	}
	p, err := audit.ParseProof(proof)
	if err != nil {
		return "", err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	held, err := w.Latest(origin)
	if err != nil {
		return "", err
	}
	var heldTree = tree
	heldTree.N = 0
	if held != "" {
		if heldTree, err = audit.OpenCheckpoint(held, pub); err != nil {
			return "", fmt.Errorf("the checkpoint held for %s: %v", origin, err)
		}
	}
	if old != heldTree.N {
		return "", &ConflictError{Size: heldTree.N}
	}
	if err := audit.CheckTrees(heldTree, tree, p); err != nil {
		return "", err
	}
	s, err := audit.NoteSigner(w.Name, w.Key)
	if err != nil {
		return "", err
	}
	n, err := note.Open([]byte(signed), note.VerifierList(mustVerifier(origin, pub)))
	if err != nil {
		return "", err
	}
	cosigned, err := note.Sign(&note.Note{Text: n.Text}, s)
	if err != nil {
		return "", err
	}
	_, cosig, _ := strings.Cut(string(cosigned), "\n\n")
	if heldTree.N == tree.N && held != "" {
		return cosig, nil // the same checkpoint again
	}
	keep := strings.TrimRight(signed, "\n") + "\n" + cosig
	tmp := w.path(origin) + ".tmp"
	if err := os.WriteFile(tmp, []byte(keep), 0o644); err != nil {
		return "", err
	}
	if err := os.Rename(tmp, w.path(origin)); err != nil {
		return "", err
	}
	return cosig, nil
}

func mustVerifier(origin string, pub ed25519.PublicKey) note.Verifier {
	v, err := audit.NoteVerifier(origin, pub)
	if err != nil {
		panic(err)
	}
	return v
}

// Handler serves the witness protocol.
func (w *Witness) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /add-checkpoint", func(rw http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
		if err != nil {
			http.Error(rw, err.Error(), http.StatusBadRequest)
			return
		}
		old, proof, signed, err := ParseAddCheckpoint(body)
		if err != nil {
			http.Error(rw, err.Error(), http.StatusBadRequest)
			return
		}
		cosig, err := w.Add(old, proof, signed)
		var ce *ConflictError
		switch {
		case err == nil:
			rw.Header().Set("Content-Type", "text/plain; charset=utf-8")
			io.WriteString(rw, cosig)
		case errors.As(err, &ce):
			rw.Header().Set("Content-Type", "text/x.tlog.size")
			rw.WriteHeader(http.StatusConflict)
			fmt.Fprintf(rw, "%d\n", ce.Size)
		case errors.Is(err, ErrUnknownLog):
			http.Error(rw, err.Error(), http.StatusNotFound)
		case errors.Is(err, ErrSignature):
			http.Error(rw, err.Error(), http.StatusForbidden)
		case errors.Is(err, audit.ErrInconsistent):
			http.Error(rw, err.Error(), http.StatusUnprocessableEntity)
		default:
			http.Error(rw, err.Error(), http.StatusBadRequest)
		}
	})
	mux.HandleFunc("GET /checkpoint", func(rw http.ResponseWriter, r *http.Request) {
		cp, err := w.Latest(r.URL.Query().Get("origin"))
		if err != nil {
			http.Error(rw, err.Error(), http.StatusInternalServerError)
			return
		}
		if cp == "" {
			http.Error(rw, "no checkpoint of this log", http.StatusNotFound)
			return
		}
		rw.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(rw, cp)
	})
	mux.HandleFunc("GET /healthz", func(rw http.ResponseWriter, r *http.Request) { io.WriteString(rw, "ok\n") })
	return mux
}

// FormatAddCheckpoint is the body of POST /add-checkpoint.
func FormatAddCheckpoint(old int64, proof string, signed string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "old %d\n", old)
	b.WriteString(proof)
	b.WriteString("\n")
	b.WriteString(signed)
	return b.Bytes()
}

// ParseAddCheckpoint reads what FormatAddCheckpoint writes.
func ParseAddCheckpoint(body []byte) (old int64, proof, signed string, err error) {
	head, rest, ok := strings.Cut(string(body), "\n\n")
	if !ok {
		return 0, "", "", errors.New("the body is old, the proof, an empty line and the checkpoint")
	}
	first, proof, _ := strings.Cut(head, "\n")
	n, ok := strings.CutPrefix(first, "old ")
	if !ok {
		return 0, "", "", errors.New(`the body starts with "old <size>"`)
	}
	if old, err = strconv.ParseInt(n, 10, 64); err != nil || old < 0 {
		return 0, "", "", errors.New("old is not a size")
	}
	return old, proof, rest, nil
}
