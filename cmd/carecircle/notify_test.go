package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"carecircle/internal/notify"
	"carecircle/internal/store"
	"carecircle/internal/vault"
)

// TestServeDeliversThroughTheWebhook: a message waiting in the outbox is
// posted by serve to --notify-webhook, signed with the secret file's key
// without its trailing newline.
func TestServeDeliversThroughTheWebhook(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "cc.db")
	if code, _, stderr := runCmd(cmdMigrate, "", "--db", path); code != 0 {
		t.Fatalf("migrate: %d %s", code, stderr)
	}
	v, err := vault.LoadExisting("", path+".key")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st, err := store.Open(ctx, path, v)
	if err != nil {
		t.Fatal(err)
	}
	m := notify.Message{ID: "serve-1", Kind: notify.KindEmergency, Channel: notify.ChannelSMS,
		To: notify.Recipient{Name: "张伟", Phone: "13900000000"}, Text: "应急求助"}
	if err := st.Enqueue(ctx, m); err != nil {
		t.Fatal(err)
	}
	st.Close()
	secret := filepath.Join(dir, "webhook.secret")
	if err := os.WriteFile(secret, []byte("gateway-key\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	got := make(chan bool, 10)
	gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got <- strings.Contains(string(body), `"id":"serve-1"`) && notify.Verify([]byte("gateway-key"), body, r.Header.Get(notify.SignatureHeader))
	}))
	defer gw.Close()
	sctx, cancel := context.WithCancel(ctx)
	e := env{getenv: func(string) string { return "" }, stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard}
	done := make(chan int, 1)
	go func() {
		done <- cmdServe(sctx, e, []string{"--addr", "127.0.0.1:0", "--db", path, "--notify-webhook", gw.URL, "--notify-secret-file", secret})
	}()
	select {
	case ok := <-got:
		if !ok {
			t.Error("the webhook got another message or a bad signature")
		}
	case code := <-done:
		t.Fatalf("serve stopped with %d", code)
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not post the waiting message")
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("serve stopped with %d", code)
	}
}
