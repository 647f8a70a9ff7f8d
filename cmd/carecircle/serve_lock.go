package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"carecircle/internal/store"
)

// lockServe makes sure one serve process at a time runs on a SQLite file:
// two would each keep their own compliance state and alerts. It holds an
// exclusive lock on DB.serve-lock until the process ends (the kernel
// releases it even after SIGKILL). PostgreSQL takes any number of servers.
func lockServe(dsn string) (release func(), err error) {
	if store.IsPostgres(dsn) {
		return func() {}, nil
	}
	path := dsn + ".serve-lock"
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		b := make([]byte, 32)
		n, _ := f.ReadAt(b, 0)
		f.Close()
		holder := ""
		if pid, err := strconv.Atoi(strings.TrimSpace(string(b[:n]))); err == nil {
			holder = fmt.Sprintf(" (process %d)", pid)
		}
		return nil, fmt.Errorf("%s is already served by another carecircle serve%s; one server per SQLite file (use PostgreSQL to run several)", filepath.Clean(dsn), holder)
	}
	f.Truncate(0)
	f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	return func() { f.Close() }, nil
}
