-- +goose Up
-- One tap, one record: a client names each attempt at a write with a key;
-- the same key from the same account within 7 days answers the record
-- first stored. The key is written in the record's own transaction, so a
-- retry after a lost answer (or a crash after the commit) finds it.
CREATE TABLE idempotency_keys (
  username    TEXT NOT NULL,
  idem_key    TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  record_id   BIGINT NOT NULL,
  created_at  TEXT NOT NULL,
  PRIMARY KEY (username, idem_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

-- +goose Down
SELECT 'migrations are never rolled back; restore a backup instead';
