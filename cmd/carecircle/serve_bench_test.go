package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
)

// BenchmarkServeStart measures issue 11's figures with the real server
// (cmdServe, in-process) on the kept benchmark street that
// internal/store's BenchmarkComplianceState writes:
//
//   - healthz-ms: from the start of serve to /healthz answering 200;
//   - worklist-ms: from the start of serve to a volunteer's GET
//     /api/v1/today answering 200 (login included); the answer is checked
//     equal to the one after a full rebuild;
//   - rebuild-s: a full rebuild started through the API (a copy of the
//     first standard taking effect in the far future, so nothing due
//     changes), until its snapshot is saved;
//   - greet-p50-ms, greet-p99-ms, greet-max-ms: another volunteer's
//     greetings through POST /api/v1/elders/{id}/services, one every 20
//     ms during that rebuild, each answered 201.
//
// SQLite when CARECIRCLE_BENCH_DB names the kept file; PostgreSQL when
// CARECIRCLE_BENCH_PG=1 and CARECIRCLE_TEST_PG and
// CARECIRCLE_BENCH_PG_SCHEMA name the kept schema. Skipped otherwise (the
// street takes minutes to write). The benchmark adds three accounts
// (bench-vol-a, bench-vol-b, bench-station) and a standard version to the
// kept street. Run with -benchtime=1x.
func BenchmarkServeStart(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) {
		path := os.Getenv("CARECIRCLE_BENCH_DB")
		if path == "" {
			b.Skip("set CARECIRCLE_BENCH_DB to the kept street (see BenchmarkComplianceState)")
		}
		if _, err := os.Stat(path); err != nil {
			b.Skipf("no kept street: %v", err)
		}
		benchServeStart(b, path)
	})
	b.Run("postgres", func(b *testing.B) {
		schema := os.Getenv("CARECIRCLE_BENCH_PG_SCHEMA")
		if os.Getenv("CARECIRCLE_BENCH_PG") == "" || schema == "" {
			b.Skip("set CARECIRCLE_BENCH_PG=1, CARECIRCLE_TEST_PG and CARECIRCLE_BENCH_PG_SCHEMA")
		}
		dsn := storetest.PostgresDSN(b)
		sep := "?"
		if strings.Contains(dsn, "?") {
			sep = "&"
		}
		benchServeStart(b, dsn+sep+"search_path="+schema)
	})
}

const benchPassword = "Bench-street-2026!"

// benchAccounts adds the benchmark's accounts to the kept street (once)
// and returns the elder whose volunteer's worklist is checked, and the
// elder the other volunteer greets.
func benchAccounts(b *testing.B, dsn string) (greeted int64) {
	ctx := context.Background()
	db := storetest.Open(b, dsn) // the benchmark street's key: all zeros
	defer db.Close()
	admin := care.Actor{Role: care.RoleAdmin, Username: "bench"}
	streets, err := db.Streets(ctx, admin)
	if err != nil || len(streets) != 1 {
		b.Skipf("not a benchmark street: %d streets, %v", len(streets), err)
	}
	facts, err := db.CompliancePairings(ctx, streets[0].ID, nil)
	if err != nil || len(facts) == 0 {
		b.Fatalf("pairings: %v", err)
	}
	a := facts[0]
	i := slices.IndexFunc(facts, func(f store.PairingFact) bool { return f.VolunteerID != a.VolunteerID && f.EndedOn == nil })
	if i < 0 {
		b.Fatal("the street has a single volunteer")
	}
	users, err := db.Users(ctx, admin)
	if err != nil {
		b.Fatal(err)
	}
	for _, u := range []care.User{
		{Username: "bench-vol-a", Role: care.RoleVolunteer, VolunteerID: a.VolunteerID},
		{Username: "bench-vol-b", Role: care.RoleVolunteer, VolunteerID: facts[i].VolunteerID},
		{Username: "bench-station", Role: care.RoleStation, StreetID: streets[0].ID},
	} {
		u.DisplayName = u.Username
		if slices.ContainsFunc(users, func(have care.User) bool { return have.Username == u.Username }) {
			continue
		}
		if err := db.CreateUser(ctx, admin, &u, benchPassword); err != nil {
			b.Fatalf("%s: %v", u.Username, err)
		}
	}
	return facts[i].ElderID
}

func benchServeStart(b *testing.B, dsn string) {
	greeted := benchAccounts(b, dsn)
	key := base64.StdEncoding.EncodeToString(make([]byte, 32))
	client := &http.Client{Timeout: time.Minute}
	call := func(method, url, token string, body any) (int, []byte) {
		var rd io.Reader
		if body != nil {
			data, _ := json.Marshal(body)
			rd = bytes.NewReader(data)
		}
		req, _ := http.NewRequest(method, url, rd)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := client.Do(req)
		if err != nil {
			return 0, []byte(err.Error())
		}
		defer resp.Body.Close()
		out, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, out
	}
	login := func(base, user string) string {
		code, out := call("POST", base+"/api/v1/session", "", map[string]string{"username": user, "password": benchPassword})
		var s struct{ Token string }
		if json.Unmarshal(out, &s); code != 201 || s.Token == "" {
			b.Fatalf("login %s: %d %s", user, code, out)
		}
		return s.Token
	}
	duties := func(base, token string) (string, error) {
		code, out := call("GET", base+"/api/v1/today", token, nil)
		if code != 200 {
			return "", fmt.Errorf("today: %d %s", code, out)
		}
		var t struct{ Duties json.RawMessage }
		err := json.Unmarshal(out, &t)
		return string(t.Duties), err
	}
	for b.Loop() {
		addr := freeAddrB(b)
		base := "http://" + addr
		ctx, cancel := context.WithCancel(context.Background())
		var log syncBuffer
		e := env{getenv: func(k string) string {
			if k == "CARECIRCLE_KEY" {
				return key
			}
			return ""
		}, stdin: strings.NewReader(""), stdout: io.Discard, stderr: &log}
		done := make(chan int, 1)
		started := time.Now()
		go func() { done <- cmdServe(ctx, e, []string{"--addr", addr, "--db", dsn}) }()
		stop := func() {
			cancel()
			if code := <-done; code != 0 {
				b.Errorf("serve stopped with %d:\n%s", code, log.String())
			}
		}
		for {
			if code, _ := call("GET", base+"/healthz", "", nil); code == 200 {
				break
			}
			select {
			case code := <-done:
				b.Fatalf("serve stopped with %d:\n%s", code, log.String())
			case <-time.After(2 * time.Millisecond):
			}
		}
		healthy := time.Since(started)
		tokenA := login(base, "bench-vol-a")
		atStart, err := duties(base, tokenA)
		worklist := time.Since(started)
		if err != nil {
			stop()
			b.Fatal(err)
		}

		// A full rebuild through the API, greetings meanwhile.
		tokenB, station := login(base, "bench-vol-b"), login(base, "bench-station")
		code, out := call("GET", base+"/api/v1/standards", station, nil)
		var set struct {
			Standards []struct{ Standard map[string]any }
		}
		if json.Unmarshal(out, &set); code != 200 || len(set.Standards) == 0 {
			stop()
			b.Fatalf("standards: %d %s", code, out)
		}
		std := set.Standards[0].Standard
		std["effective_from"] = fmt.Sprintf("%d-01-01", time.Now().Year()+50)
		saves := strings.Count(log.String(), "compliance state saved")
		rebuildStarted := time.Now()
		posted := make(chan string, 1)
		go func() {
			code, out := call("POST", base+"/api/v1/standards", station, std)
			if code != 201 {
				posted <- fmt.Sprintf("standards: %d %s", code, out)
			}
			close(posted)
		}()
		var lat []time.Duration
		tick := time.NewTicker(20 * time.Millisecond)
		for strings.Count(log.String(), "compliance state saved") == saves {
			<-tick.C
			body := map[string]string{"kind": "life", "type": "greeting", "at": time.Now().Format(time.RFC3339)}
			t0 := time.Now()
			code, out := call("POST", fmt.Sprintf("%s/api/v1/elders/%d/services", base, greeted), tokenB, body)
			if code != 201 {
				tick.Stop()
				stop()
				b.Fatalf("greeting: %d %s", code, out)
			}
			lat = append(lat, time.Since(t0))
		}
		tick.Stop()
		rebuild := time.Since(rebuildStarted)
		if msg := <-posted; msg != "" {
			stop()
			b.Fatal(msg)
		}
		afterRebuild, err := duties(base, tokenA)
		stop()
		if testing.Verbose() {
			b.Logf("serve's log:\n%s", log.String())
		}
		if err != nil {
			b.Fatal(err)
		}
		if afterRebuild != atStart {
			b.Fatalf("the worklist at start differs from the one after a full rebuild:\n%s\n%s", atStart, afterRebuild)
		}
		b.ReportMetric(float64(healthy.Microseconds())/1000, "healthz-ms")
		b.ReportMetric(float64(worklist.Microseconds())/1000, "worklist-ms")
		b.ReportMetric(rebuild.Seconds(), "rebuild-s")
		if len(lat) > 0 {
			slices.Sort(lat)
			q := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
			b.ReportMetric(q(0.5), "greet-p50-ms")
			b.ReportMetric(q(0.99), "greet-p99-ms")
			b.ReportMetric(q(1), "greet-max-ms")
			b.ReportMetric(float64(len(lat)), "greetings")
		}
	}
}

func freeAddrB(b *testing.B) string {
	b.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}
