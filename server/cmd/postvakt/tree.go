package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// runAuditCheckpoint prints the log's newest signed checkpoint, to be
// kept outside the database (and given to `audit verify --checkpoint`).
func runAuditCheckpoint(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("audit checkpoint", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sf := addStoreFlags(fs, getenv)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return errUsage
	}
	db, _, err := sf.open(ctx, false)
	if err != nil {
		return err
	}
	defer db.Close()
	cp, err := db.LatestCheckpoint(ctx)
	if err != nil {
		return err
	}
	if cp == "" {
		return errors.New("the log has no signed checkpoint yet")
	}
	_, err = io.WriteString(stdout, cp)
	return err
}

// witnessCheckpoint fetches the newest checkpoint of origin a witness
// holds, or "" when it holds none.
func witnessCheckpoint(ctx context.Context, base, origin string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", strings.TrimSuffix(base, "/")+"/checkpoint?origin="+url.QueryEscape(origin), nil)
	if err != nil {
		return "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return "", err
	}
	switch resp.StatusCode {
	case http.StatusOK:
		return string(b), nil
	case http.StatusNotFound:
		return "", nil
	}
	return "", fmt.Errorf("status %d: %s", resp.StatusCode, strings.TrimSpace(string(b)))
}
