package api_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
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
