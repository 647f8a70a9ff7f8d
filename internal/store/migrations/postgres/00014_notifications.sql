-- +goose Up
-- Notifications (issue 13, README "Notifications"). Every message is
-- written to the outbox in the same transaction as the event that causes
-- it, then delivered by a worker on any server: claimed with a lease
-- (lease_owner, lease_until) so that one worker delivers it, retried with
-- backoff (attempts, next_attempt_at, last_error) until delivered. The id
-- is stable (derived from the event) so a repeat is stored once and the
-- SMS gateway can drop a retried delivery. Inbox messages are the
-- channel 'inbox' rows, delivered when written; read_at marks them read.
CREATE TABLE outbox (
  id              TEXT PRIMARY KEY,
  kind            TEXT NOT NULL CHECK (kind IN ('missed_greeting','escalation','emergency','reminder')),
  channel         TEXT NOT NULL CHECK (channel IN ('inbox','sms','email')),
  user_id         BIGINT REFERENCES users(id),
  to_name         TEXT NOT NULL DEFAULT '',
  to_phone        TEXT NOT NULL DEFAULT '',
  to_email        TEXT NOT NULL DEFAULT '',
  subject         TEXT NOT NULL DEFAULT '',
  text            TEXT NOT NULL,
  elder_id        BIGINT REFERENCES elders(id),
  alert_id        BIGINT REFERENCES alerts(id),
  created_at      TEXT NOT NULL,
  status          TEXT NOT NULL CHECK (status IN ('pending','delivered','failed')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT NOT NULL,
  last_error      TEXT NOT NULL DEFAULT '',
  delivered_at    TEXT,
  lease_owner     TEXT NOT NULL DEFAULT '',
  lease_until     TEXT NOT NULL DEFAULT '',
  read_at         TEXT
);
-- What a worker claims: pending messages by when they are due.
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE status = 'pending';
-- A person's inbox, newest first, and its unread count (the bell).
CREATE INDEX outbox_inbox ON outbox (user_id, created_at) WHERE channel = 'inbox';
CREATE INDEX outbox_unread ON outbox (user_id) WHERE channel = 'inbox' AND read_at IS NULL;
-- Who was told about an alert, by which channel (the escalation shown on it).
CREATE INDEX outbox_alert ON outbox (alert_id) WHERE alert_id IS NOT NULL;

-- How each account wants to be reached besides the inbox (README
-- "Notifications"): a mobile for SMS, an e-mail address, which of the two
-- are on, and quiet hours (HH:MM, programme time zone; '' for none) during
-- which SMS and e-mail wait, except emergencies. No row: the inbox only.
CREATE TABLE notify_settings (
  user_id    BIGINT PRIMARY KEY REFERENCES users(id),
  phone      TEXT NOT NULL DEFAULT '',
  email      TEXT NOT NULL DEFAULT '',
  sms        BOOLEAN NOT NULL DEFAULT FALSE,
  mail       BOOLEAN NOT NULL DEFAULT FALSE,
  quiet_from TEXT NOT NULL DEFAULT '',
  quiet_to   TEXT NOT NULL DEFAULT '',
  updated_at TEXT NOT NULL
);

-- +goose Down
SELECT 'migrations are never rolled back; restore a backup instead';
