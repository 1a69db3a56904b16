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
	"sort"
	"strings"
	"time"

	"github.com/postvakt/postvakt/server"
	pvhttp "github.com/postvakt/postvakt/server/http"
	"github.com/postvakt/postvakt/server/postgres"
	"github.com/postvakt/postvakt/server/witness"
	"github.com/postvakt/postvakt/shared/rules"
)

func init() {
	commands["serve"] = command{usage: "run the server (accounts, rule bundles, audit log, admin and compliance pages)", run: runServe}
}

func envOr(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}

// AuditKeyFile holds the ed25519 seed that signs audit checkpoints, and
// AuditPubFile its public key (base64), for verifiers.
const (
	AuditKeyFile = "audit-ed25519.key"
	AuditPubFile = "audit-ed25519.pub"
)

func loadAuditKey(dir string, create bool) (ed25519.PrivateKey, error) {
	p := filepath.Join(dir, AuditKeyFile)
	b, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) && create {
		seed := make([]byte, ed25519.SeedSize)
		rand.Read(seed)
		key := ed25519.NewKeyFromSeed(seed)
		if err := os.WriteFile(p, []byte(base64.StdEncoding.EncodeToString(seed)+"\n"), 0o600); err != nil {
			return nil, err
		}
		pub := base64.StdEncoding.EncodeToString(key.Public().(ed25519.PublicKey))
		if err := os.WriteFile(filepath.Join(dir, AuditPubFile), []byte(pub+"\n"), 0o600); err != nil {
			return nil, err
		}
		return key, nil
	} else if err != nil {
		return nil, err
	}
	seed, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("%s: not a base64 ed25519 seed", p)
	}
	return ed25519.NewKeyFromSeed(seed), nil
}

// MetricsTokenFile holds the bearer token that GET /metrics requires on
// the main address, unless $POSTVAKT_METRICS_TOKEN gives one.
const MetricsTokenFile = "metrics.token"

// loadMetricsToken returns $POSTVAKT_METRICS_TOKEN, or the token in
// DIR/metrics.token, made on first use.
func loadMetricsToken(dir string, getenv func(string) string) (string, error) {
	if t := getenv("POSTVAKT_METRICS_TOKEN"); t != "" {
		return t, nil
	}
	p := filepath.Join(dir, MetricsTokenFile)
	b, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		tb := make([]byte, 24)
		rand.Read(tb)
		t := base64.RawURLEncoding.EncodeToString(tb)
		return t, os.WriteFile(p, []byte(t+"\n"), 0o600)
	} else if err != nil {
		return "", err
	}
	if t := strings.TrimSpace(string(b)); t != "" {
		return t, nil
	}
	return "", fmt.Errorf("%s is empty", p)
}

// loadJWTKeys reads every key in DIR/jwt; the newest file signs, all
// verify. A new key is made when there is none or when rotate is set;
// delete an old file once tokens signed with it have expired.
func loadJWTKeys(dir string, rotate bool, now time.Time) (*pvhttp.Keys, error) {
	kd := filepath.Join(dir, "jwt")
	if err := os.MkdirAll(kd, 0o700); err != nil {
		return nil, err
	}
	names, err := filepath.Glob(filepath.Join(kd, "*.key"))
	if err != nil {
		return nil, err
	}
	newID := ""
	if len(names) == 0 || rotate {
		secret := make([]byte, 32)
		rand.Read(secret)
		p := filepath.Join(kd, now.UTC().Format("20060102T150405")+"-"+pvhttp.KeyIDOf(secret)+".key")
		if err := os.WriteFile(p, []byte(base64.StdEncoding.EncodeToString(secret)+"\n"), 0o600); err != nil {
			return nil, err
		}
		names = append(names, p)
		newID = pvhttp.KeyIDOf(secret)
	}
	sort.Strings(names)
	keys := &pvhttp.Keys{Secrets: map[string][]byte{}}
	for _, p := range names {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		secret, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
		if err != nil || len(secret) < 32 {
			return nil, fmt.Errorf("%s: not a base64 key of at least 32 bytes", p)
		}
		id := pvhttp.KeyIDOf(secret)
		keys.Secrets[id], keys.Current = secret, id
	}
	if newID != "" {
		// A key made now signs, even if another was made in the same second.
		keys.Current = newID
	}
	return keys, nil
}

// seedBuiltin publishes the built-in bundle when nothing was ever
// published, so that a new server serves rules at once.
func seedBuiltin(ctx context.Context, db store, now time.Time) error {
	if _, err := db.Published(ctx); server.ErrorCode(err) != server.ENOTFOUND {
		return err
	}
	data := rules.BuiltinJSON()
	b, err := rules.Parse(data)
	if err != nil {
		return err
	}
	v := &server.BundleVersion{Version: b.Version, JSON: data, ETag: pvhttp.ETag(data), Rules: len(b.Rules), CreatedBy: "postvakt", CreatedAt: now}
	if err := db.CreateBundle(ctx, v); err != nil && server.ErrorCode(err) != server.ECONFLICT {
		return err
	}
	// Several processes may start together on an empty database: the
	// first publishes, the others find it done.
	_, err = db.PublishFirst(ctx, server.Publication{Version: v.Version, PublishedBy: "postvakt", PublishedAt: now})
	return err
}

func runServe(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", envOr(getenv, "POSTVAKT_ADDR", "127.0.0.1:8080"), "listen on `HOST:PORT` ($POSTVAKT_ADDR)")
	sf := addStoreFlags(fs, getenv)
	logLevel := fs.String("log-level", envOr(getenv, "POSTVAKT_LOG_LEVEL", "info"), "log `LEVEL`: debug, info, warn or error")
	heartbeat := fs.Duration("sse-heartbeat", 15*time.Second, "interval of heartbeats on event streams")
	secure := fs.Bool("secure-cookies", getenv("POSTVAKT_SECURE_COOKIES") == "1", "mark page cookies Secure (set when served over HTTPS)")
	var proxies []*net.IPNet
	fs.Func("trusted-proxy", "a reverse proxy's address or `CIDR` whose X-Forwarded-For is believed (repeat for several)", func(v string) error {
		if !strings.Contains(v, "/") {
			if strings.Contains(v, ":") {
				v += "/128"
			} else {
				v += "/32"
			}
		}
		_, n, err := net.ParseCIDR(v)
		if err == nil {
			proxies = append(proxies, n)
		}
		return err
	})
	rotate := fs.Bool("rotate-jwt-key", false, "make a new token-signing key before starting; older keys still verify")
	metricsAddr := fs.String("metrics-addr", getenv("POSTVAKT_METRICS_ADDR"), "also serve /metrics without a token on `HOST:PORT`, for the monitoring system only ($POSTVAKT_METRICS_ADDR)")
	var to pvhttp.Timeouts
	fs.DurationVar(&to.ReadHeader, "read-header-timeout", 10*time.Second, "close a connection whose request headers take longer")
	fs.DurationVar(&to.Read, "read-timeout", 30*time.Second, "close a connection whose request (body included) takes longer")
	fs.DurationVar(&to.Write, "write-timeout", 60*time.Second, "close a connection whose answer takes longer to write (event streams and exports: each write)")
	fs.DurationVar(&to.Idle, "idle-timeout", 2*time.Minute, "close a keep-alive connection idle for longer")
	var witnesses []string
	fs.Func("witness", "a witness's base `URL` (postvakt witness): every new audit checkpoint is sent there, and verification checks the log against the one it holds (repeatable; $POSTVAKT_WITNESSES, space-separated)", func(v string) error {
		witnesses = append(witnesses, v)
		return nil
	})
	maxUncovered := fs.Int64("max-uncovered", 0, "how many audit entries may follow the newest signed checkpoint before verification fails")
	maxMinutes := fs.Int("max-uncovered-minutes", 0, "how many minutes an audit entry may go without a signed checkpoint before verification fails (0: any, within --max-uncovered)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: postvakt serve [flags]\n\nRuns the server. Logs are JSON on stderr; the listening address is printed on stdout.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return errUsage
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return fmt.Errorf("--log-level: %v", err)
	}
	logger := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: level}))

	db, key, err := sf.open(ctx, true)
	if err != nil {
		return err
	}
	defer db.Close()
	var fanout server.Fanout
	// Sign-in attempts are counted in the store, in one atomic step per
	// attempt, so the limit holds for every process that shares it.
	var limiter server.LoginLimiter = db
	if pg, ok := db.(*postgres.DB); ok {
		// Several processes may share the database: events go through it.
		pg.Logger = logger
		fanout = pg
	}
	now := time.Now
	if err := seedBuiltin(ctx, db, now()); err != nil {
		return fmt.Errorf("publish the built-in bundle: %w", err)
	}
	// A log from before the Merkle tree gets its tree and a signed
	// checkpoint now; otherwise this appends nothing.
	if _, err := db.Append(ctx, nil, now()); err != nil {
		return fmt.Errorf("audit log: %w", err)
	}
	if len(witnesses) == 0 {
		witnesses = strings.Fields(getenv("POSTVAKT_WITNESSES"))
	}
	auditPub := key.Public().(ed25519.PublicKey)
	var wc *witness.Client
	var anchors func(context.Context) ([]server.Anchor, error)
	var afterAppend func()
	if len(witnesses) > 0 {
		wc = witness.NewClient(witnesses, db, auditPub, logger)
		anchors, afterAppend = wc.Anchors, wc.Notify
		wctx, stopWitness := context.WithCancel(ctx)
		defer stopWitness()
		go wc.Run(wctx)
		wc.Notify()
	}
	keys, err := loadJWTKeys(*sf.data, *rotate, now())
	if err != nil {
		return err
	}
	metricsToken, err := loadMetricsToken(*sf.data, getenv)
	if err != nil {
		return err
	}
	srv := pvhttp.NewServer(pvhttp.Config{
		Users: db, Rules: db, Audit: db,
		Keys:           keys,
		AuditKey:       auditPub,
		AuditVerify:    server.VerifyOptions{MaxUncovered: *maxUncovered, MaxUncoveredAge: time.Duration(*maxMinutes) * time.Minute},
		AuditAnchors:   anchors,
		AfterAppend:    afterAppend,
		Ready:          db.Ping,
		Now:            now,
		Logger:         logger,
		Heartbeat:      *heartbeat,
		SecureCookies:  *secure,
		TrustedProxies: proxies,
		Fanout:         fanout,
		Limiter:        limiter,
		MetricsToken:   metricsToken,
		Timeouts:       to,
	})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	hs := srv.HTTPServer()
	logger.Info("listening", "addr", ln.Addr().String())
	fmt.Fprintf(stdout, "postvakt: listening on http://%s\n", ln.Addr())
	if *metricsAddr != "" {
		mln, err := net.Listen("tcp", *metricsAddr)
		if err != nil {
			return err
		}
		ms := &http.Server{Handler: srv.MetricsHandler(), ReadHeaderTimeout: to.ReadHeader, ReadTimeout: to.Read, WriteTimeout: to.Write, IdleTimeout: to.Idle}
		go ms.Serve(mln)
		defer ms.Close()
		fmt.Fprintf(stdout, "postvakt: metrics on http://%s/metrics\n", mln.Addr())
	}
	// On a new database, say where to begin.
	if us, err := db.ListUsers(ctx); err == nil && len(us) == 0 {
		setup := "http://" + ln.Addr().String() + "/setup"
		fmt.Fprintf(stdout, "postvakt: Første gang? Gå til %s for å lage den første kontoen og organisasjonsprofilen (eller bruk postvakt setup).\n", setup)
		logger.Info("no account yet: open the setup page", "url", setup)
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	srv.Close() // ends event streams, which Shutdown would wait for
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return err
	}
	logger.Info("stopped")
	return nil
}
