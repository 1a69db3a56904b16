package http

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	"github.com/postvakt/postvakt/server"
	"github.com/postvakt/postvakt/shared/audit"
	"golang.org/x/mod/sumdb/tlog"
)

// verifyLog verifies the log as /audit/verify and the verify page do:
// against its own checkpoints, the witnesses' and the configured bounds.
func (s *Server) verifyLog(ctx context.Context) (audit.Report, error) {
	o := s.cfg.AuditVerify
	if s.cfg.AuditAnchors != nil {
		as, err := s.cfg.AuditAnchors(ctx)
		if err != nil {
			return audit.Report{}, err
		}
		o.Anchors = append(o.Anchors, as...)
	}
	o.Now = s.cfg.Now()
	return server.VerifyLogWith(ctx, s.cfg.Audit, s.cfg.AuditKey, o)
}

// proofHashes is a proof as JSON: base64 hashes.
func proofHashes(p []tlog.Hash) []string {
	out := make([]string, len(p))
	for i, h := range p {
		out[i] = base64.StdEncoding.EncodeToString(h[:])
	}
	return out
}

func queryInt(c echo.Context, name string) (int64, error) {
	v := c.QueryParam(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, server.Errorf(server.EINVALID, "%s must be a whole number, 0 or more.", name)
	}
	return n, nil
}

// handleAuditCheckpoint answers the newest signed checkpoint, as a
// signed note (text/plain).
func handleAuditCheckpoint(log server.AuditLog) echo.HandlerFunc {
	return func(c echo.Context) error {
		cp, err := log.LatestCheckpoint(c.Request().Context())
		if err != nil {
			return err
		}
		if cp == "" {
			return server.Errorf(server.ENOTFOUND, "The audit log has no signed checkpoint yet.")
		}
		return c.Blob(http.StatusOK, "text/plain; charset=utf-8", []byte(cp))
	}
}

// handleConsistencyProof answers a proof that the tree of size new (by
// default the newest signed checkpoint's) extends the tree of size old.
func handleConsistencyProof(log server.AuditLog, pub ed25519.PublicKey) echo.HandlerFunc {
	type response struct {
		Checkpoint string   `json:"checkpoint"`
		Old        int64    `json:"old"`
		New        int64    `json:"new"`
		Proof      []string `json:"proof"`
		// PublicKey is the log's checkpoint key (base64), which a client
		// pins the first time it sees a checkpoint.
		PublicKey string `json:"public_key"`
	}
	return func(c echo.Context) error {
		oldSize, err := queryInt(c, "old")
		if err != nil {
			return err
		}
		newSize, err := queryInt(c, "new")
		if err != nil {
			return err
		}
		p, cp, err := server.ProveConsistency(c.Request().Context(), log, pub, oldSize, newSize)
		if err != nil {
			return err
		}
		if newSize == 0 && cp != "" {
			t, _ := audit.OpenCheckpoint(cp, pub)
			newSize = t.N
		}
		return c.JSON(http.StatusOK, response{Checkpoint: cp, Old: oldSize, New: newSize, Proof: proofHashes(p),
			PublicKey: base64.StdEncoding.EncodeToString(pub)})
	}
}

// handleInclusionProof answers a proof that the record at seq is in the
// tree of size size (by default the newest signed checkpoint's).
func handleInclusionProof(log server.AuditLog, pub ed25519.PublicKey) echo.HandlerFunc {
	type response struct {
		Checkpoint string   `json:"checkpoint"`
		Seq        int64    `json:"seq"`
		Size       int64    `json:"size"`
		Hash       string   `json:"hash"` // the record's hash, whose tlog.RecordHash is the leaf
		Proof      []string `json:"proof"`
	}
	return func(c echo.Context) error {
		seq, err := queryInt(c, "seq")
		if err != nil {
			return err
		}
		size, err := queryInt(c, "size")
		if err != nil {
			return err
		}
		ctx := c.Request().Context()
		p, cp, err := server.ProveInclusion(ctx, log, pub, seq, size)
		if err != nil {
			return err
		}
		r, err := log.Get(ctx, seq)
		if err != nil {
			return err
		}
		if size == 0 {
			t, _ := audit.OpenCheckpoint(cp, pub)
			size = t.N
		}
		return c.JSON(http.StatusOK, response{Checkpoint: cp, Seq: seq, Size: size, Hash: r.Hash, Proof: proofHashes(p)})
	}
}

// handleAuditAlarm takes a browser's report that the log's checkpoints
// are inconsistent: the newest it had seen, the server's current one,
// and what failed. The server checks the two checkpoints' signatures and
// the proof itself, logs the alarm as an error for admins and appends a
// checkpoint_alarm entry that compliance sees in the log.
func handleAuditAlarm(log server.AuditLog, pub ed25519.PublicKey, logger *slog.Logger, now func() time.Time) echo.HandlerFunc {
	type request struct {
		Seen    string `json:"seen"`
		Current string `json:"current"`
		Error   string `json:"error"`
	}
	return func(c echo.Context) error {
		var req request
		if err := json.NewDecoder(c.Request().Body).Decode(&req); err != nil {
			return decodeError(err)
		}
		ctx := c.Request().Context()
		seen, err := audit.OpenCheckpoint(req.Seen, pub)
		if err != nil {
			return server.Errorf(server.EINVALID, "seen is not a checkpoint of this log: %v", err)
		}
		msg := fmt.Sprintf("En nettleser har sett kontrollpunktet for %d oppføringer (rot %s), men loggen nå er ikke en forlengelse av det: %s",
			seen.N, seen.Hash, sanitize(truncate(req.Error, 300)))
		// Check for ourselves: a report that does not hold up is still
		// recorded, marked as such.
		p, cur, perr := server.ProveConsistency(ctx, log, pub, min(seen.N, maxTree(ctx, log, pub)), 0)
		if perr == nil {
			if _, _, err := audit.CheckConsistency(req.Seen, cur, p, pub); err == nil {
				msg += " (serveren finner loggen konsistent med dette kontrollpunktet)"
			}
		}
		logger.Error("audit log checkpoint alarm from a browser", "seen_size", seen.N)
		e := audit.Entry{ID: uuid.NewString(), User: claimsOf(c).Name, Platform: "server", At: now().UTC().Format(time.RFC3339),
			Action: audit.ActionCheckpointAlarm, Findings: []audit.Finding{}, Reason: msg}
		if _, err := log.Append(ctx, []audit.Entry{e}, now()); err != nil {
			return err
		}
		return c.NoContent(http.StatusAccepted)
	}
}

func maxTree(ctx context.Context, log server.AuditLog, pub ed25519.PublicKey) int64 {
	cp, err := log.LatestCheckpoint(ctx)
	if err != nil || cp == "" {
		return 0
	}
	t, _ := audit.OpenCheckpoint(cp, pub)
	return t.N
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

// exportTimeout is the write deadline of each page of an export.
func (s *Server) exportTimeout() time.Duration {
	if s.cfg.ExportWriteTimeout > 0 {
		return s.cfg.ExportWriteTimeout
	}
	return 30 * time.Second
}
