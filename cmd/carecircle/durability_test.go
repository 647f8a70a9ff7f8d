package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"carecircle/internal/store"
	"carecircle/internal/vault"
)

// TestAcknowledgedRecordsSurviveKill starts the real server, logs greetings
// from 8 clients, kills the process with SIGKILL in the middle of the load,
// and checks that every greeting that was answered 201 is in the database
// and that the history still verifies. Each greeting carries an
// Idempotency-Key; those whose answer was lost are sent again to a
// restarted server, and every greeting is then stored exactly once.
func TestAcknowledgedRecordsSurviveKill(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "carecircle")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	db := filepath.Join(dir, "kill.db")
	if out, err := exec.Command(bin, "demo", "--db", db, "--password", "kill-test-pw").CombinedOutput(); err != nil {
		t.Fatalf("demo: %v\n%s", err, out)
	}
	addr := freeAddr(t)
	srv := exec.Command(bin, "serve", "--addr", addr, "--db", db)
	srv.Stdout, srv.Stderr = os.Stderr, os.Stderr
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Process.Kill()
	base := "http://" + addr
	waitHealthy(t, base)
	token := login(t, base, "community1", "kill-test-pw")
	elders := elderIDs(t, base, token)

	type attempt struct{ key, body string }
	var mu sync.Mutex
	var acked []int64
	var unanswered []attempt
	notes := map[string]int64{} // note -> elder, of every greeting attempted
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for c := 0; c < 8; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			client := &http.Client{Timeout: 5 * time.Second}
			for i := 0; ctx.Err() == nil; i++ {
				note := "load " + fmt.Sprint(c, i)
				elder := elders[(c+i)%len(elders)]
				body := `{"kind":"life","type":"greeting","note":"` + note + `"}`
				key := fmt.Sprintf("kill-%d-%d", c, i)
				mu.Lock()
				notes[note] = elder
				mu.Unlock()
				req, _ := http.NewRequest("POST", base+"/api/v1/elders/"+fmt.Sprint(elder)+"/services", strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+token)
				req.Header.Set("Idempotency-Key", key)
				resp, err := client.Do(req)
				if err != nil {
					mu.Lock()
					unanswered = append(unanswered, attempt{key, "/api/v1/elders/" + fmt.Sprint(elder) + "/services\n" + body})
					mu.Unlock()
					return // the server is gone
				}
				var out struct{ ID int64 }
				json.NewDecoder(resp.Body).Decode(&out)
				resp.Body.Close()
				if resp.StatusCode == 201 {
					mu.Lock()
					acked = append(acked, out.ID)
					mu.Unlock()
				}
			}
		}(c)
	}
	time.Sleep(1500 * time.Millisecond)
	srv.Process.Signal(syscall.SIGKILL)
	srv.Wait()
	cancel()
	wg.Wait()
	if len(acked) < 10 {
		t.Fatalf("only %d greetings were acknowledged before the kill; the load did not run", len(acked))
	}

	// The clients whose answer was lost send the same request again.
	srv2 := exec.Command(bin, "serve", "--addr", addr, "--db", db)
	srv2.Stdout, srv2.Stderr = os.Stderr, os.Stderr
	if err := srv2.Start(); err != nil {
		t.Fatal(err)
	}
	waitHealthy(t, base)
	replayed := 0
	for _, at := range unanswered {
		path, body, _ := strings.Cut(at.body, "\n")
		req, _ := http.NewRequest("POST", base+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Idempotency-Key", at.key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == 200 {
			replayed++ // stored before the kill, its answer lost
		}
		if resp.StatusCode != 201 && resp.StatusCode != 200 {
			t.Fatalf("retry of %s: status %d", at.key, resp.StatusCode)
		}
	}
	srv2.Process.Signal(syscall.SIGTERM)
	srv2.Wait()

	key, err := os.ReadFile(db + ".key")
	if err != nil {
		t.Fatal(err)
	}
	v, _, err := vault.Load(strings.TrimSpace(string(key)), "")
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), db, v)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, id := range acked {
		if !st.RecordExists(context.Background(), id) {
			t.Fatalf("record %d was acknowledged (201) but is not in the database after the kill", id)
		}
	}
	stored, err := st.CountNotes(context.Background(), "load ")
	if err != nil {
		t.Fatal(err)
	}
	for note, n := range stored {
		if _, ok := notes[note]; !ok || n != 1 {
			t.Fatalf("%q stored %d times, want once", note, n)
		}
	}
	for _, at := range unanswered {
		_, body, _ := strings.Cut(at.body, "\n")
		note := body[strings.Index(body, "load "):strings.LastIndex(body, `"`)]
		if stored[note] != 1 {
			t.Fatalf("%q, sent again after the kill, stored %d times", note, stored[note])
		}
	}
	rep, err := st.Verify(context.Background())
	if err != nil || len(rep.Problems) != 0 {
		t.Fatalf("history after the kill: %v %v", err, rep.Problems)
	}
	t.Logf("%d acknowledged greetings, all present after SIGKILL; %d unanswered sent again (%d had been stored), each stored once; %d records verified", len(acked), len(unanswered), replayed, rep.Records)
}

func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func waitHealthy(t *testing.T, base string) {
	for i := 0; i < 200; i++ {
		if resp, err := http.Get(base + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("the server did not become healthy")
}

func login(t *testing.T, base, user, pw string) string {
	resp, err := http.Post(base+"/api/v1/session", "application/json", bytes.NewReader([]byte(`{"username":"`+user+`","password":"`+pw+`"}`)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ Token string }
	json.NewDecoder(resp.Body).Decode(&out)
	if out.Token == "" {
		t.Fatalf("login %s: status %d", user, resp.StatusCode)
	}
	return out.Token
}

func elderIDs(t *testing.T, base, token string) []int64 {
	req, _ := http.NewRequest("GET", base+"/api/v1/elders?status=active&limit=20", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ Items []struct{ ID int64 } }
	json.NewDecoder(resp.Body).Decode(&out)
	var ids []int64
	for _, it := range out.Items {
		ids = append(ids, it.ID)
	}
	if len(ids) == 0 {
		t.Fatal("no elders")
	}
	return ids
}
