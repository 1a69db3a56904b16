package witness

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/postvakt/postvakt/server"
	"github.com/postvakt/postvakt/shared/audit"
)

// Client sends a log's newest checkpoint, with a consistency proof from
// the one each witness holds, to the witnesses it is configured with,
// and fetches the witnesses' checkpoints for verification. It is safe
// for concurrent use.
type Client struct {
	URLs   []string
	Log    server.AuditLog
	Pub    ed25519.PublicKey
	HTTP   *http.Client
	Logger *slog.Logger

	mu    sync.Mutex
	sizes map[string]int64 // the size each witness holds, as last learnt
	kick  chan struct{}
}

// NewClient returns a client for the witnesses at urls.
func NewClient(urls []string, log server.AuditLog, pub ed25519.PublicKey, logger *slog.Logger) *Client {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Client{URLs: urls, Log: log, Pub: pub, HTTP: &http.Client{Timeout: 30 * time.Second}, Logger: logger,
		sizes: map[string]int64{}, kick: make(chan struct{}, 1)}
}

// Notify asks Run to send the newest checkpoint; it never blocks.
func (c *Client) Notify() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

// Run sends the newest checkpoint to every witness whenever Notify was
// called, until ctx ends.
func (c *Client) Run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-c.kick:
		}
		for _, u := range c.URLs {
			if _, err := c.Push(ctx, u); err != nil {
				c.Logger.Warn("witness refused or unreachable", "witness", u, "err", err.Error())
			}
		}
	}
}

// Push sends the log's newest checkpoint to the witness at base and
// returns its cosignature.
func (c *Client) Push(ctx context.Context, base string) (string, error) {
	cp, err := c.Log.LatestCheckpoint(ctx)
	if err != nil || cp == "" {
		return "", err
	}
	tree, err := audit.OpenCheckpoint(cp, c.Pub)
	if err != nil {
		return "", err
	}
	c.mu.Lock()
	old := c.sizes[base]
	c.mu.Unlock()
	for try := 0; try < 2; try++ {
		if old > tree.N {
			return "", fmt.Errorf("the witness holds a checkpoint of %d entries, more than the log's %d: the log was rolled back", old, tree.N)
		}
		p, _, err := server.ProveConsistency(ctx, c.Log, c.Pub, old, tree.N)
		if err != nil {
			return "", err
		}
		req, err := http.NewRequestWithContext(ctx, "POST", strings.TrimSuffix(base, "/")+"/add-checkpoint",
			bytes.NewReader(FormatAddCheckpoint(old, audit.FormatProof(p), cp)))
		if err != nil {
			return "", err
		}
		resp, err := c.HTTP.Do(req)
		if err != nil {
			return "", err
		}
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		switch resp.StatusCode {
		case http.StatusOK:
			c.mu.Lock()
			c.sizes[base] = tree.N
			c.mu.Unlock()
			return string(body), nil
		case http.StatusConflict:
			n, err := strconv.ParseInt(strings.TrimSpace(string(body)), 10, 64)
			if err != nil {
				return "", fmt.Errorf("conflict without a size: %q", body)
			}
			old = n
			c.mu.Lock()
			c.sizes[base] = n
			c.mu.Unlock()
			continue
		default:
			return "", fmt.Errorf("status %d: %s", resp.StatusCode, strings.TrimSpace(string(body)))
		}
	}
	return "", fmt.Errorf("the witness's size kept changing")
}

// Anchors returns the newest checkpoint of the log each witness holds.
// A witness that cannot be reached is an error: verification must not
// pass silently without the anchor it was configured with.
func (c *Client) Anchors(ctx context.Context) ([]server.Anchor, error) {
	var out []server.Anchor
	for _, u := range c.URLs {
		req, err := http.NewRequestWithContext(ctx, "GET", strings.TrimSuffix(u, "/")+"/checkpoint?origin="+url.QueryEscape(audit.LogOrigin(c.Pub)), nil)
		if err != nil {
			return nil, err
		}
		resp, err := c.HTTP.Do(req)
		if err != nil {
			return nil, server.Errorf(server.EINTERNAL, "The witness %s cannot be reached: %v", u, err)
		}
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		switch resp.StatusCode {
		case http.StatusOK:
			out = append(out, server.Anchor{Checkpoint: string(body), Source: "witness " + u})
		case http.StatusNotFound:
		default:
			return nil, fmt.Errorf("witness %s: status %d", u, resp.StatusCode)
		}
	}
	return out, nil
}
