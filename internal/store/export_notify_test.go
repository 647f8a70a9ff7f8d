package store

import (
	"context"
	"database/sql"

	"carecircle/internal/notify"
)

// WithEvent runs event and then enqueues msgs in one transaction, as a
// store function that notifies does; an error from event (or fail) rolls
// both back.
func (db *DB) WithEvent(ctx context.Context, event func(tx *sql.Tx) error, fail error, msgs ...notify.Message) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		if err := event(tx); err != nil {
			return err
		}
		if err := db.enqueueTx(ctx, tx, msgs...); err != nil {
			return err
		}
		return fail
	})
}
