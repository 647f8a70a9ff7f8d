package main

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"

	"carecircle/internal/store"
	"carecircle/internal/vault"
)

// dbFlags are the flags every command that opens the database shares.
type dbFlags struct {
	dsn     string
	keyFile string
}

func (f *dbFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.dsn, "db", "./carecircle.db", "SQLite file path or postgres:// URL")
	fs.StringVar(&f.keyFile, "key-file", "", "data key file (default: beside the SQLite file, or ./carecircle.key for PostgreSQL); CARECIRCLE_KEY (base64) overrides")
}

// open loads the data key (creating one with 0600 permissions on first use)
// and opens the database, creating or upgrading its schema.
func (f *dbFlags) open(ctx context.Context, e env) (*store.DB, error) {
	keyPath := f.keyFile
	if keyPath == "" {
		keyPath = "carecircle.key"
		if !store.IsPostgres(f.dsn) {
			keyPath = f.dsn + ".key"
		}
	}
	v, created, err := vault.Load(e.getenv("CARECIRCLE_KEY"), keyPath)
	if err != nil {
		return nil, err
	}
	if created {
		fmt.Fprintf(e.stderr, "created a new data key in %s (mode 0600); back it up: without it the ID numbers cannot be read\n", filepath.Clean(keyPath))
	}
	return store.Open(ctx, f.dsn, v)
}
