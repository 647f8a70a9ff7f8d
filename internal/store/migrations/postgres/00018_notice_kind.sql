-- +goose Up
-- Notices (kind 'notice', inbox only): news about someone's service, such
-- as an elder who moved away or died and the pairings that ended with it
-- (issue 16 point 5).
ALTER TABLE outbox DROP CONSTRAINT outbox_kind_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_kind_check
  CHECK (kind IN ('missed_greeting','escalation','emergency','reminder','notice'));

-- +goose Down
SELECT 'migrations are never rolled back; restore a backup instead';
