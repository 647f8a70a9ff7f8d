package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestServeRefusesBadSettings: settings out of range are bad usage (exit
// 2) with a message naming the flag, before anything is opened.
func TestServeRefusesBadSettings(t *testing.T) {
	for _, args := range [][]string{
		{"--late-entry-hours", "0"},
		{"--late-entry-hours", "9000"},
		{"--alert-hour", "24"},
		{"--reminder-time", "25:00"},
		{"--reminder-time", "9"},
		{"--geo-radius", "1"},
		{"--notify-webhook", "https://sms.example.com/hook"},
		{"--notify-secret-file", "/etc/secret"},
		{"--notify-webhook", "ftp://sms.example.com/hook", "--notify-secret-file", "x"},
		{"--notify-webhook", "http://sms.example.com/hook", "--notify-secret-file", "x"},
		{"--smtp", "mail.example.com:25"},
		{"--smtp", "mail.example.com", "--smtp-from", "care@example.com"},
		{"--smtp-from", "care@example.com"},
		{"--smtp-from", "not an address", "--smtp", "mail.example.com:25"},
	} {
		code, _, stderr := runCmd(cmdServe, "", append(args, "--db", t.TempDir()+"/x.db")...)
		if code != 2 || !strings.Contains(stderr, args[0]) {
			t.Errorf("serve %v: exit %d, %q", args, code, stderr)
		}
	}
}

// TestServeNeedsTheWebhookSecret: a secret file that cannot be read, or
// is empty, is a failure (exit 1) naming the flag; nothing is served.
func TestServeNeedsTheWebhookSecret(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, []byte("\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, file := range []string{filepath.Join(dir, "missing"), empty} {
		code, _, stderr := runCmd(cmdServe, "", "--db", filepath.Join(dir, "x.db"), "--addr", "127.0.0.1:0",
			"--notify-webhook", "https://sms.example.com/hook", "--notify-secret-file", file)
		if code != 1 || !strings.Contains(stderr, "--notify-secret-file") {
			t.Errorf("secret file %s: exit %d, %q", file, code, stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "x.db")); err == nil {
		t.Error("the database was opened before the secret was read")
	}
}

// TestSecondServerOnSQLiteRefused: a second serve on a SQLite file that is
// being served exits 1 with a message naming the file; once the first
// stops, the file can be served again.
func TestSecondServerOnSQLiteRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "one.db")
	ctx, cancel := context.WithCancel(context.Background())
	var out syncBuffer
	e := env{getenv: func(string) string { return "" }, stdin: strings.NewReader(""), stdout: &out, stderr: io.Discard}
	done := make(chan int, 1)
	go func() { done <- cmdServe(ctx, e, []string{"--addr", "127.0.0.1:0", "--db", path}) }()
	for !strings.Contains(out.String(), "listening") {
		select {
		case code := <-done:
			t.Fatalf("the first server stopped with %d", code)
		case <-time.After(20 * time.Millisecond):
		}
	}
	code, _, stderr := runCmd(cmdServe, "", "--addr", "127.0.0.1:0", "--db", path)
	if code != 1 || !strings.Contains(stderr, path) || !strings.Contains(stderr, "already served") {
		t.Fatalf("second server: exit %d, %q", code, stderr)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("the first server stopped with %d", code)
	}
	ctx2, cancel2 := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel2()
	if code := cmdServe(ctx2, e, []string{"--addr", "127.0.0.1:0", "--db", path}); code != 0 {
		t.Fatalf("serving again after the first stopped: exit %d", code)
	}
}

// syncBuffer is a bytes.Buffer safe for a server goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
