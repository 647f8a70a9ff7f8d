-- +goose Up
-- Notices (kind 'notice', inbox only): news about someone's service, such
-- as an elder who moved away or died and the pairings that ended with it
-- (issue 16 point 5). SQLite cannot change a CHECK in place, so the outbox
-- is copied into a table that allows the new kind.
CREATE TABLE outbox_new (
  id              TEXT PRIMARY KEY,
  kind            TEXT NOT NULL CHECK (kind IN ('missed_greeting','escalation','emergency','reminder','notice')),
  channel         TEXT NOT NULL CHECK (channel IN ('inbox','sms','email')),
  user_id         INTEGER REFERENCES users(id),
  to_name         TEXT NOT NULL DEFAULT '',
  to_phone        TEXT NOT NULL DEFAULT '',
  to_email        TEXT NOT NULL DEFAULT '',
  subject         TEXT NOT NULL DEFAULT '',
  text            TEXT NOT NULL,
  elder_id        INTEGER REFERENCES elders(id),
  alert_id        INTEGER REFERENCES alerts(id),
  created_at      TEXT NOT NULL,
  status          TEXT NOT NULL CHECK (status IN ('pending','delivered','failed')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT NOT NULL,
  last_error      TEXT NOT NULL DEFAULT '',
  delivered_at    TEXT,
  lease_owner     TEXT NOT NULL DEFAULT '',
  lease_until     TEXT NOT NULL DEFAULT '',
  read_at         TEXT,
  step            TEXT NOT NULL DEFAULT ''
);
INSERT INTO outbox_new (id, kind, channel, user_id, to_name, to_phone, to_email, subject, text, elder_id, alert_id, created_at,
  status, attempts, next_attempt_at, last_error, delivered_at, lease_owner, lease_until, read_at, step)
SELECT id, kind, channel, user_id, to_name, to_phone, to_email, subject, text, elder_id, alert_id, created_at,
  status, attempts, next_attempt_at, last_error, delivered_at, lease_owner, lease_until, read_at, step FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE status = 'pending';
CREATE INDEX outbox_inbox ON outbox (user_id, created_at) WHERE channel = 'inbox';
CREATE INDEX outbox_unread ON outbox (user_id) WHERE channel = 'inbox' AND read_at IS NULL;
CREATE INDEX outbox_alert ON outbox (alert_id) WHERE alert_id IS NOT NULL;
CREATE INDEX outbox_step ON outbox (elder_id, step, created_at) WHERE step <> '';

-- +goose Down
SELECT 'migrations are never rolled back; restore a backup instead';
