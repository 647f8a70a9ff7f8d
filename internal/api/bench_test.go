package api_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/store/storetest"
)

// BenchmarkAPICreateElder registers elders through POST /api/v1/elders on
// SQLite (each one a durable transaction), serially and from 8 clients, and
// reports creates per second.
func BenchmarkAPICreateElder(b *testing.B) {
	for _, clients := range []int{1, 8} {
		b.Run(map[int]string{1: "serial", 8: "8_clients"}[clients], func(b *testing.B) {
			db := storetest.Open(b, filepath.Join(b.TempDir(), "bench.db"))
			e := setup(b, db)
			srv := httptest.NewServer(e.h)
			defer srv.Close()
			var seq atomic.Int64
			base := storetest.Day("1935-01-01")
			post := func() {
				i := seq.Add(1)
				body := validElderBody(e.f, 0)
				birth := base.AddDate(0, 0, int(i%20000))
				body["birth_date"] = birth.Format("2006-01-02")
				body["id_number"] = care.MakeIDNumber("320102", birth, int(i/20000)%500, care.Female)
				buf, _ := json.Marshal(body)
				req, _ := http.NewRequest("POST", srv.URL+"/api/v1/elders", bytes.NewReader(buf))
				req.Header.Set("Authorization", "Bearer "+e.tokens["community1"])
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					b.Error(err)
					return
				}
				resp.Body.Close()
				if resp.StatusCode != 201 {
					b.Errorf("status %d", resp.StatusCode)
				}
			}
			start := time.Now()
			b.ResetTimer()
			var wg sync.WaitGroup
			work := make(chan struct{})
			for c := 0; c < clients; c++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range work {
						post()
					}
				}()
			}
			for i := 0; i < b.N; i++ {
				work <- struct{}{}
			}
			close(work)
			wg.Wait()
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "creates/s")
		})
	}
}

// BenchmarkGreetingsHTTP logs daily greetings through POST
// /api/v1/elders/{id}/services from 8 concurrent clients on SQLite: every
// 201 is durable (synchronous=FULL), and the writer commits the greetings
// that arrive together as one group. It reports records per second and the
// 99th percentile latency.
func BenchmarkGreetingsHTTP(b *testing.B) {
	db := storetest.Open(b, filepath.Join(b.TempDir(), "bench.db"))
	e := setup(b, db)
	srv := httptest.NewServer(e.h)
	defer srv.Close()
	elders := []string{itoa(e.f.Elder1.ID), itoa(e.f.Elder2.ID)}
	body := []byte(`{"kind":"life","type":"greeting","verification":{"method":"none"}}`)
	var mu sync.Mutex
	var lat []time.Duration
	var n atomic.Int64
	start := time.Now()
	b.ResetTimer()
	var wg sync.WaitGroup
	work := make(chan int)
	for c := 0; c < 8; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := &http.Client{}
			for i := range work {
				req, _ := http.NewRequest("POST", srv.URL+"/api/v1/elders/"+elders[i%2]+"/services", bytes.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+e.tokens["community1"])
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					b.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 201 {
					b.Errorf("status %d", resp.StatusCode)
				}
				d := time.Since(t0)
				mu.Lock()
				lat = append(lat, d)
				mu.Unlock()
				n.Add(1)
			}
		}()
	}
	for i := 0; i < b.N; i++ {
		work <- i
	}
	close(work)
	wg.Wait()
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(n.Load())/time.Since(start).Seconds(), "records/s")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}
