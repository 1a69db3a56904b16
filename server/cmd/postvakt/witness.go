package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/postvakt/postvakt/server/witness"
	"github.com/postvakt/postvakt/shared/audit"
)

func init() {
	commands["witness"] = command{usage: "run a witness: keep the newest audit checkpoint per log, cosign only consistent successors", run: runWitness}
}

// WitnessKeyFile holds the witness's ed25519 seed in its data directory.
const WitnessKeyFile = "witness-ed25519.key"

func runWitness(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("witness", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8090", "listen on `HOST:PORT`")
	data := fs.String("data", envOr(getenv, "POSTVAKT_WITNESS_DATA", "./witness-data"), "`DIR` for the witness's key and the checkpoints it holds")
	name := fs.String("name", "", "the witness's key `NAME` in cosignatures (default: postvakt-witness/<key id>)")
	var logs []ed25519.PublicKey
	fs.Func("log-key", "a log's checkpoint public `KEY` (base64, or a file such as DATA/"+AuditPubFile+"); repeat for several logs", func(v string) error {
		pub, err := readPubKey(v)
		if err == nil {
			logs = append(logs, pub)
		}
		return err
	})
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: postvakt witness --log-key KEY [--addr HOST:PORT] [--data DIR]\n\nKeeps the newest checkpoint of each log it is given the key of, and cosigns a\nnew one only when a consistency proof shows it extends that one. Start the\nserver with --witness http://HOST:PORT, and verify with\n`postvakt audit verify --witness http://HOST:PORT`.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return errUsage
	}
	if len(logs) == 0 || fs.NArg() > 0 {
		fs.Usage()
		return errUsage
	}
	if err := os.MkdirAll(*data, 0o700); err != nil {
		return err
	}
	key, err := loadSeed(filepath.Join(*data, WitnessKeyFile))
	if err != nil {
		return err
	}
	pub := key.Public().(ed25519.PublicKey)
	if *name == "" {
		*name = "postvakt-witness/" + audit.KeyID(pub)
	}
	w := &witness.Witness{Name: *name, Key: key, Dir: *data}
	for _, l := range logs {
		w.AddLog(l)
	}
	vkey, _ := audit.NoteVerifierKey(*name, pub)
	logger := slog.New(slog.NewJSONHandler(stderr, nil))
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "postvakt: witness listening on http://%s\n", ln.Addr())
	logger.Info("witness", "addr", ln.Addr().String(), "verifier_key", vkey)
	hs := &http.Server{Handler: w.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return hs.Shutdown(sctx)
}

// loadSeed reads a base64 ed25519 seed, making one when the file is missing.
func loadSeed(p string) (ed25519.PrivateKey, error) {
	b, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		seed := make([]byte, ed25519.SeedSize)
		rand.Read(seed)
		if err := os.WriteFile(p, []byte(base64.StdEncoding.EncodeToString(seed)+"\n"), 0o600); err != nil {
			return nil, err
		}
		return ed25519.NewKeyFromSeed(seed), nil
	} else if err != nil {
		return nil, err
	}
	seed, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("%s: not a base64 ed25519 seed", p)
	}
	return ed25519.NewKeyFromSeed(seed), nil
}
