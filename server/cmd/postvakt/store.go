package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/postvakt/postvakt/server"
	"github.com/postvakt/postvakt/server/postgres"
	"github.com/postvakt/postvakt/server/sqlite"
)

// store is what every command that opens the database uses: the stores
// of package server, a readiness check and Close. *sqlite.DB and
// *postgres.DB are both one.
type store interface {
	server.UserStore
	server.RuleStore
	server.AuditLog
	server.LoginLimiter
	Ping(context.Context) error
	Close() error
}

var (
	_ store = (*sqlite.DB)(nil)
	_ store = (*postgres.DB)(nil)
)

// storeFlags are the flags every command that opens the store shares.
type storeFlags struct {
	data *string
	db   *string
}

func addStoreFlags(fs *flag.FlagSet, getenv func(string) string) storeFlags {
	return storeFlags{
		data: fs.String("data", envOr(getenv, "POSTVAKT_DATA", "./data"), "data `DIR`: the SQLite database and the server's keys ($POSTVAKT_DATA)"),
		db:   fs.String("db", getenv("POSTVAKT_DB"), "database: an SQLite `FILE` (default DIR/postvakt.db) or a PostgreSQL URL postgres://… ($POSTVAKT_DB)"),
	}
}

// open opens the store: PostgreSQL when --db is a postgres:// URL, else
// the SQLite file. The data directory holds the keys either way; server
// processes that share a PostgreSQL database must share its keys too.
// With create, the directory, an SQLite database and the audit
// checkpoint key are made on first use; without, a missing SQLite
// database is an error (verifying a log that is not there must not
// create an empty one), and a missing key gives a nil key.
func (sf storeFlags) open(ctx context.Context, create bool) (store, ed25519.PrivateKey, error) {
	path := *sf.db
	pg := postgres.IsDSN(path)
	if path == "" {
		path = filepath.Join(*sf.data, "postvakt.db")
	}
	if create {
		if err := os.MkdirAll(*sf.data, 0o700); err != nil {
			return nil, nil, err
		}
		// The directory holds the keys and, on SQLite, the password
		// hashes: only the server's user may enter it, even when it was
		// made by hand with looser permissions.
		if err := os.Chmod(*sf.data, 0o700); err != nil {
			return nil, nil, err
		}
	} else if !pg {
		if _, err := os.Stat(path); err != nil {
			return nil, nil, fmt.Errorf("no database at %s (set --data or --db)", path)
		}
	}
	key, err := loadAuditKey(*sf.data, create)
	if !create && errors.Is(err, os.ErrNotExist) {
		// Reading a PostgreSQL log needs no key, and may be done from a
		// machine that has none; commands that sign check for it.
		key, err = nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	if pg {
		db := postgres.NewDB(path)
		db.Signer = key
		if err := db.Open(ctx); err != nil {
			return nil, nil, err
		}
		return db, key, nil
	}
	db := sqlite.NewDB(path)
	db.Signer = key
	if err := db.Open(); err != nil {
		return nil, nil, err
	}
	return db, key, nil
}
