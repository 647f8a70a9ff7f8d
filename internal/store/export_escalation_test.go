package store

import (
	"context"

	"carecircle/internal/notify"
)

// ChainMessage is an outbox message with the step of the chain it belongs to.
type ChainMessage struct {
	OutboxMessage
	Step notify.Step
}

// OutboxOfElder lists every message about an elder with its step, oldest
// first (the escalation tests).
func (db *DB) OutboxOfElder(ctx context.Context, elderID int64) ([]ChainMessage, error) {
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT `+outboxColumns+`, step FROM outbox WHERE elder_id = ? ORDER BY created_at, id`), elderID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ChainMessage
	for rows.Next() {
		var m ChainMessage
		var step string
		o, err := scanOutbox(scanExtra{rows, []any{&step}})
		if err != nil {
			return nil, err
		}
		m.OutboxMessage, m.Step = *o, notify.Step(step)
		out = append(out, m)
	}
	return out, rows.Err()
}
