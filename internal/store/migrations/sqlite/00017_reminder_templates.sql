-- +goose Up
-- Reminders (issue 13 point 4, README "Reminders"): the wording of each
-- kind of reminder a station edited for its street. A kind without a row
-- uses the built-in default (internal/reminder). Which reminders were sent
-- is the outbox: each is named EventID("reminder", kind, subject, day).
CREATE TABLE reminder_templates (
  street_id  INTEGER NOT NULL REFERENCES streets(id),
  kind       TEXT NOT NULL,
  text       TEXT NOT NULL,
  updated_by TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (street_id, kind)
);

-- +goose Down
SELECT 'migrations are never rolled back; restore a backup instead';
