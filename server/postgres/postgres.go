// Package postgres implements Postvakt's stores (server.UserStore,
// server.RuleStore, server.AuditLog) on PostgreSQL with pgx, for
// installations that run several server processes on one database, and
// server.Fanout, which carries bundle and crisis events between those
// processes with LISTEN/NOTIFY.
//
// It uses pgx's own interface and pool (pgxpool) rather than
// database/sql: the event listener needs a dedicated connection and
// WaitForNotification, which database/sql cannot offer, and the audit
// append copies a batch with COPY. Every object lives in the connection's
// current schema, so search_path in the DSN separates installations (and
// test runs) that share a database; the notification channel is named
// after the schema for the same reason.
//
// Appends from every process are serialised by a row lock on the chain's
// head (audit_head), so positions are gapless and each record chains to
// its predecessor. Migrations are embedded and applied in order on Open
// under an advisory lock, so processes that start together do not race.
// The audit table refuses UPDATE, DELETE and TRUNCATE by trigger except
// for pruning; tamper evidence does not depend on that (see shared/audit).
package postgres

import (
	"context"
	"crypto/ed25519"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/postvakt/postvakt/server"
)

//go:embed migration/*.sql
var migrationFS embed.FS

// Compile-time checks that DB implements the stores and the fan-out.
var (
	_ server.UserStore = (*DB)(nil)
	_ server.RuleStore = (*DB)(nil)
	_ server.AuditLog  = (*DB)(nil)
	_ server.Fanout    = (*DB)(nil)
)

// DB is an open database.
type DB struct {
	// DSN is a postgres:// URL or key=value string as pgx reads it.
	DSN string
	// Signer signs audit checkpoints. Append fails without one.
	Signer ed25519.PrivateKey
	// Logger receives the event listener's reconnects (no personal data).
	Logger *slog.Logger
	// MaxConns caps the pool (default: pgxpool's, max(4, CPUs)).
	MaxConns int32
	// ListenPing is how long the event listener waits in silence before
	// it pings its connection (default 30 s).
	ListenPing time.Duration

	pool    *pgxpool.Pool
	schema  string
	channel string
}

// NewDB returns a DB for dsn; call Open before use.
func NewDB(dsn string) *DB { return &DB{DSN: dsn} }

// IsDSN reports whether s names a PostgreSQL database rather than an
// SQLite file.
func IsDSN(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// Open connects, migrates and learns the schema's notification channel.
func (db *DB) Open(ctx context.Context) error {
	if db.Logger == nil {
		db.Logger = slog.New(slog.DiscardHandler)
	}
	cfg, err := pgxpool.ParseConfig(db.DSN)
	if err != nil {
		// pgx's message may quote the DSN with its password.
		return errors.New("postgres: the DSN cannot be parsed")
	}
	if db.MaxConns > 0 {
		cfg.MaxConns = db.MaxConns
	}
	if db.pool, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	if err := db.migrate(ctx); err != nil {
		db.pool.Close()
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	var schema string
	if err := db.pool.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		db.pool.Close()
		return fmt.Errorf("postgres: %w", err)
	}
	db.schema, db.channel = schema, channelName(schema)
	return nil
}

// channelName is the notification channel of a schema; channel names
// share the database, so they must tell schemas apart. Identifiers are at
// most 63 bytes.
func channelName(schema string) string {
	c := "postvakt:" + schema
	if len(c) > 63 {
		c = c[:63]
	}
	return c
}

// Close closes the pool.
func (db *DB) Close() error {
	if db.pool != nil {
		db.pool.Close()
	}
	return nil
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.pool.Ping(ctx) }

// migrate applies the embedded migrations not yet recorded, in file-name
// order, in one transaction that holds an advisory lock for the schema.
func (db *DB) migrate(ctx context.Context) error {
	names, err := fs.Glob(migrationFS, "migration/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('postvakt-migrate:' || current_schema(), 0))`); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY)`); err != nil {
		return err
	}
	for _, name := range names {
		var n int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM migrations WHERE name = $1`, name).Scan(&n); err != nil {
			return err
		} else if n != 0 {
			continue
		}
		buf, err := fs.ReadFile(migrationFS, name)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, string(buf)); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO migrations (name) VALUES ($1)`, name); err != nil {
			return err
		}
	}
	return tx.Commit(ctx)
}

// PostgreSQL error codes the stores translate.
const (
	codeUnique     = "23505"
	codeForeignKey = "23503"
)

func isCode(err error, code string) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == code
}

func utc(t time.Time) time.Time { return t.UTC() }

// noRows reports whether err is pgx's "no rows in result set".
func noRows(err error) bool { return errors.Is(err, pgx.ErrNoRows) }
