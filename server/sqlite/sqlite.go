// Package sqlite implements Postvakt's stores (server.UserStore,
// server.RuleStore, server.AuditLog) on an SQLite file with
// modernc.org/sqlite (pure Go, no cgo).
//
// The database runs in WAL mode with two pools: one connection that
// writes (so writers never see SQLITE_BUSY and the audit chain's head is
// read and extended in one serial transaction) and a few read-only
// connections that readers use concurrently. Migrations are embedded and
// applied in order on Open. The audit table refuses UPDATE and DELETE by
// trigger, except the update that prunes a record's contents; tamper
// evidence does not depend on that (see shared/audit).
package sqlite

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/postvakt/postvakt/server"
	_ "modernc.org/sqlite"
)

//go:embed migration/*.sql
var migrationFS embed.FS

// Compile-time checks that DB implements the stores.
var (
	_ server.UserStore = (*DB)(nil)
	_ server.RuleStore = (*DB)(nil)
	_ server.AuditLog  = (*DB)(nil)
)

// DB is an open database.
type DB struct {
	Path string
	// Signer signs audit checkpoints. Append fails without one.
	Signer ed25519.PrivateKey

	write *sql.DB
	read  *sql.DB
	// inserts are the audit append's prepared inserts (audit.go).
	inserts map[string]*sql.Stmt
}

// NewDB returns a DB for the file at path; call Open before use.
func NewDB(path string) *DB { return &DB{Path: path} }

func dsn(path string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Add("_txlock", "immediate")
	}
	return "file:" + path + "?" + q.Encode()
}

// Open opens the database, creating it if needed, and migrates it.
func (db *DB) Open() (err error) {
	if db.Path == "" {
		return errors.New("sqlite: path required")
	}
	// The file holds password hashes: it and its WAL and shared-memory
	// files (which SQLite creates with the file's permissions) are the
	// owner's only.
	if err := ownerOnly(db.Path); err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	if db.write, err = sql.Open("sqlite", dsn(db.Path, false)); err != nil {
		return err
	}
	db.write.SetMaxOpenConns(1)
	if err := db.migrate(); err != nil {
		db.write.Close()
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	if err := db.prepareInserts(); err != nil {
		db.write.Close()
		return fmt.Errorf("sqlite: prepare: %w", err)
	}
	if db.read, err = sql.Open("sqlite", dsn(db.Path, true)); err != nil {
		db.write.Close()
		return err
	}
	db.read.SetMaxOpenConns(4)
	return nil
}

// ownerOnly creates path with mode 0600 if it does not exist, and
// tightens it and its -wal and -shm files to 0600 if they do.
func ownerOnly(path string) error {
	if strings.HasPrefix(path, ":memory:") || strings.HasPrefix(path, "file:") {
		return nil
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	f.Close()
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Chmod(p, 0o600); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return nil
}

// Close closes both pools.
func (db *DB) Close() error {
	var errs []error
	if db.read != nil {
		errs = append(errs, db.read.Close())
	}
	for _, st := range db.inserts {
		st.Close()
	}
	if db.write != nil {
		errs = append(errs, db.write.Close())
	}
	return errors.Join(errs...)
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	return db.read.QueryRowContext(ctx, `SELECT 1`).Scan(&one)
}

// migrate applies the embedded migrations not yet recorded, each in its
// own transaction, in file-name order.
func (db *DB) migrate() error {
	if _, err := db.write.Exec(`CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY)`); err != nil {
		return err
	}
	names, err := fs.Glob(migrationFS, "migration/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	// A migration may rebuild a table that others refer to (SQLite's
	// twelve-step ALTER), which needs foreign keys off; they are checked
	// once all migrations ran. The write pool has one connection, so the
	// pragma holds for every migration.
	if _, err := db.write.Exec(`PRAGMA foreign_keys = OFF`); err != nil {
		return err
	}
	for _, name := range names {
		if err := db.migrateFile(name); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	rows, err := db.write.Query(`PRAGMA foreign_key_check`)
	if err != nil {
		return err
	}
	bad := rows.Next()
	rows.Close()
	if bad {
		return errors.New("foreign key check failed after migrating")
	}
	_, err = db.write.Exec(`PRAGMA foreign_keys = ON`)
	return err
}

func (db *DB) migrateFile(name string) error {
	tx, err := db.write.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRow(`SELECT COUNT(*) FROM migrations WHERE name = ?`, name).Scan(&n); err != nil {
		return err
	} else if n != 0 {
		return nil
	}
	buf, err := fs.ReadFile(migrationFS, name)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(string(buf)); err != nil {
		return err
	}
	if _, err := tx.Exec(`INSERT INTO migrations (name) VALUES (?)`, name); err != nil {
		return err
	}
	return tx.Commit()
}

// Times are stored as RFC 3339 text in UTC with nanoseconds, which sorts.
const timeFormat = time.RFC3339Nano

func fmtTime(t time.Time) string { return t.UTC().Format(timeFormat) }

func parseTime(s string) time.Time {
	t, _ := time.Parse(timeFormat, s)
	return t
}

func isUnique(err error) bool {
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
