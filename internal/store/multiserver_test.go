package store_test

import (
	"sync"
	"testing"

	"carecircle/internal/store"
	"carecircle/internal/store/storetest"
	"carecircle/internal/vault"
)

// TestServersStartingTogetherMigrateOnce: several servers opening a new
// PostgreSQL database at once all start; the migrations ran once, under a
// lock, and the schema works.
func TestServersStartingTogetherMigrateOnce(t *testing.T) {
	dsn := storetest.FreshSchema(t, storetest.PostgresDSN(t))
	v, err := vault.New(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	dbs := make([]*store.DB, 4)
	errs := make([]error, 4)
	for i := range dbs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			dbs[i], errs[i] = store.Open(t.Context(), dsn, v)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("server %d: %v", i, err)
		}
		t.Cleanup(func() { dbs[i].Close() })
	}
	f := storetest.Seed(t, dbs[0])
	for _, db := range dbs {
		if _, err := db.GetElder(t.Context(), f.Station, f.Elder1.ID); err != nil {
			t.Fatal(err)
		}
	}
}
