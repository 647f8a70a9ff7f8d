package main

import (
	"context"
	"errors"
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
	// mayCreateKey lets the command make a new data key when there is
	// none, and only for a database that holds no data yet (serve, demo,
	// migrate, user add). Every other command, verify and restore among
	// them, needs the key that exists.
	mayCreateKey bool
}

func (f *dbFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.dsn, "db", "./carecircle.db", "SQLite file path or postgres:// URL")
	fs.StringVar(&f.keyFile, "key-file", "", "data key file (default: beside the SQLite file, or ./carecircle.key for PostgreSQL); CARECIRCLE_KEY (base64) overrides")
}

// keyPath is the key file named by --key-file or its default.
func (f *dbFlags) keyPath() string {
	if f.keyFile != "" {
		return f.keyFile
	}
	if store.IsPostgres(f.dsn) {
		return "carecircle.key"
	}
	return f.dsn + ".key"
}

// loadKey loads the data key. A missing key file is an error naming it,
// except for a command that may create a key on a database that holds no
// data yet: a new key could never open data sealed with the old one.
func (f *dbFlags) loadKey(ctx context.Context, e env) (*vault.Vault, error) {
	path := f.keyPath()
	v, err := vault.LoadExisting(e.getenv("CARECIRCLE_KEY"), path)
	if !errors.Is(err, vault.ErrNoKeyFile) {
		return v, err
	}
	if !f.mayCreateKey {
		return nil, fmt.Errorf("the data key file %s does not exist; give the database's key with --key-file or CARECIRCLE_KEY (this command never makes a new key)", filepath.Clean(path))
	}
	fp, err := store.KeyFingerprint(ctx, f.dsn)
	if err != nil {
		return nil, err
	}
	if fp != "" {
		return nil, fmt.Errorf("the data key file %s does not exist, but the database already holds data sealed with a key (fingerprint %s); give that key with --key-file or CARECIRCLE_KEY — a new key would not open it", filepath.Clean(path), fp)
	}
	v, created, err := vault.Load("", path)
	if err != nil {
		return nil, err
	}
	if created {
		fmt.Fprintf(e.stderr, "created a new data key in %s (mode 0600); back it up: without it the ID numbers and health notes cannot be read\n", filepath.Clean(path))
	}
	return v, nil
}

// open loads the data key (see loadKey) and opens the database, creating
// or upgrading its schema.
func (f *dbFlags) open(ctx context.Context, e env) (*store.DB, error) {
	v, err := f.loadKey(ctx, e)
	if err != nil {
		return nil, err
	}
	return store.Open(ctx, f.dsn, v)
}
