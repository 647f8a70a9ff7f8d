package store

import (
	"context"
	"database/sql"
	"runtime"
	"time"
)

// LoginHit counts one login attempt for each key within window and returns
// the highest count after it (ratelimit.Store). One statement per key, so
// concurrent attempts on several servers are each counted.
func (db *DB) LoginHit(ctx context.Context, keys []string, window time.Duration) (int, error) {
	now := db.Now()
	top := 0
	err := db.tx(ctx, func(tx *sql.Tx) error {
		for _, k := range keys {
			var n int
			if err := tx.QueryRowContext(ctx, db.q(`INSERT INTO login_attempts (key, count, since) VALUES (?, 1, ?)
 ON CONFLICT (key) DO UPDATE SET
  count = CASE WHEN login_attempts.since < ? THEN 1 ELSE login_attempts.count + 1 END,
  since = CASE WHEN login_attempts.since < ? THEN excluded.since ELSE login_attempts.since END
 RETURNING count`), k, stamp(now), stamp(now.Add(-window)), stamp(now.Add(-window))).Scan(&n); err != nil {
				return err
			}
			top = max(top, n)
		}
		return nil
	})
	return top, err
}

// LoginForgive takes back the attempt of a good login: the user's count is
// cleared, the address's lowered by one.
func (db *DB) LoginForgive(ctx context.Context, userKey string, others []string) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, db.q(`DELETE FROM login_attempts WHERE key = ?`), userKey); err != nil {
			return err
		}
		for _, k := range others {
			if _, err := tx.ExecContext(ctx, db.q(`UPDATE login_attempts SET count = count - 1 WHERE key = ? AND count > 0`), k); err != nil {
				return err
			}
		}
		return nil
	})
}

// PurgeLogins forgets attempts older than window; serve runs it daily.
func (db *DB) PurgeLogins(ctx context.Context, window time.Duration) error {
	_, err := db.write.ExecContext(ctx, db.q(`DELETE FROM login_attempts WHERE since < ?`), stamp(db.Now().Add(-window)))
	return err
}

// hashSlots bounds how many password hashes run at once: each argon2id
// hash takes 64 MiB, so a flood of logins must queue, not multiply memory.
var hashSlots = make(chan struct{}, max(2, runtime.GOMAXPROCS(0)))

// withHashSlot runs fn when a slot is free, or gives up with ctx.
func withHashSlot(ctx context.Context, fn func()) error {
	select {
	case hashSlots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-hashSlots }()
	fn()
	return nil
}
