package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"carecircle/internal/store/storetest"
)

// TestTwoServersOnePostgres runs two real servers on one PostgreSQL
// database, writes records through both at once (across many elders and
// both halves of the month, and of the month before), kills one with
// SIGKILL mid-way, restarts it, and checks that every server's compliance
// table equals the other's and what a rebuild from every record gives.
func TestTwoServersOnePostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs two servers")
	}
	dsn := storetest.FreshSchema(t, storetest.PostgresDSN(t))
	dir := t.TempDir()
	bin := filepath.Join(dir, "carecircle")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	key := filepath.Join(dir, "data.key")
	db := []string{"--db", dsn, "--key-file", key}
	if out, err := exec.Command(bin, append([]string{"demo", "--password", "two-servers"}, db...)...).CombinedOutput(); err != nil {
		t.Fatalf("demo: %v\n%s", err, out)
	}
	start := func(name string) (*exec.Cmd, string) {
		addr := freeAddr(t)
		srv := exec.Command(bin, append([]string{"serve", "--addr", addr}, db...)...)
		log, err := os.Create(filepath.Join(dir, name+".log"))
		if err != nil {
			t.Fatal(err)
		}
		srv.Stdout, srv.Stderr = log, log
		if err := srv.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { srv.Process.Kill(); srv.Wait() })
		base := "http://" + addr
		waitHealthy(t, base)
		return srv, base
	}
	srvA, a := start("a")
	_, b := start("b")
	tokens := map[string]string{}
	for _, u := range []string{"community1", "community2", "community3", "station"} {
		tokens[u] = login(t, a, u, "two-servers")
	}

	now := time.Now().In(shanghai(t))
	month := now.Format("2006-01")
	last := now.AddDate(0, 0, -now.Day()).Format("2006-01") // the month before
	days := []time.Time{}
	for d := now; d.Format("2006-01") == month || d.Format("2006-01") == last; d = d.AddDate(0, 0, -1) {
		days = append(days, time.Date(d.Year(), d.Month(), d.Day(), 9, 0, 0, 0, d.Location()))
	}
	type target struct {
		user  string
		elder int64
	}
	var targets []target
	for _, u := range []string{"community1", "community2", "community3"} {
		for _, id := range elderIDs(t, a, tokens[u]) {
			targets = append(targets, target{u, id})
		}
	}

	var stored atomic.Int64
	var killed atomic.Bool
	var wg sync.WaitGroup
	const perWriter = 250
	for w := range 8 {
		base := a
		if w%2 == 1 {
			base = b
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := &http.Client{Timeout: 10 * time.Second}
			for i := range perWriter {
				tg := targets[(w*perWriter+i)%len(targets)]
				at := days[(w*7+i*3)%len(days)].Add(time.Duration(i%8) * time.Hour)
				if at.After(now) {
					at = now.Add(-time.Minute)
				}
				typ, kind := "greeting", "life"
				if i%4 == 0 {
					typ, kind = "chat", "spirit"
				}
				body := fmt.Sprintf(`{"kind":%q,"type":%q,"at":%q,"source":"paper","note":"two servers %d-%d"}`, kind, typ, at.Format(time.RFC3339), w, i)
				req, _ := http.NewRequest("POST", fmt.Sprintf("%s/api/v1/elders/%d/services", base, tg.elder), strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+tokens[tg.user])
				req.Header.Set("Idempotency-Key", fmt.Sprintf("two-%d-%d", w, i))
				resp, err := client.Do(req)
				if err != nil {
					if base == a && killed.Load() {
						return // this server is gone
					}
					t.Errorf("writer %d: %v", w, err)
					return
				}
				out, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				switch resp.StatusCode {
				case 201:
					stored.Add(1)
				case 409: // a signed month
				default:
					t.Errorf("writer %d: %d %s", w, resp.StatusCode, out)
					return
				}
				if w == 0 && i == perWriter/2 {
					killed.Store(true)
					srvA.Process.Signal(syscall.SIGKILL)
				}
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	if stored.Load() < 1000 {
		t.Fatalf("only %d records were stored", stored.Load())
	}
	srvA.Wait()
	_, a = start("a2")

	table := func(base, m string) string {
		t.Helper()
		req, _ := http.NewRequest("GET", base+"/api/v1/compliance?month="+m, nil)
		req.Header.Set("Authorization", "Bearer "+tokens["station"])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var v map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&v); err != nil || resp.StatusCode != 200 {
			t.Fatalf("compliance %s: %d %v", m, resp.StatusCode, err)
		}
		delete(v, "rebuilding")
		out, _ := json.Marshal(v)
		return string(out)
	}
	want := map[string]string{}
	for _, m := range []string{month, last} {
		want[m] = table(b, m)
		if got := table(a, m); got != want[m] {
			t.Fatalf("%s: the restarted server and the other differ:\n%s\n%s", m, got, want[m])
		}
	}
	if out, err := exec.Command(bin, append([]string{"compliance", "rebuild"}, db...)...).CombinedOutput(); err != nil {
		t.Fatalf("rebuild: %v\n%s", err, out)
	}
	_, c := start("c")
	for _, m := range []string{month, last} {
		for name, base := range map[string]string{"a": a, "b": b, "c": c} {
			if got := table(base, m); got != want[m] {
				t.Fatalf("%s: server %s after the rebuild differs:\n%s\n%s", m, name, got, want[m])
			}
		}
	}
	var got struct{ Total struct{ Met int } }
	if err := json.Unmarshal([]byte(want[last]), &got); err != nil || got.Total.Met == 0 {
		t.Fatalf("the table counts nothing: %v %s", err, want[last])
	}
	t.Logf("%d records through two servers, one killed and restarted; every server agrees with a rebuild", stored.Load())
}

func shanghai(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
