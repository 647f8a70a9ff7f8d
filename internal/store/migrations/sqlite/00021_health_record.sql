-- +goose Up
-- The clinic's structured health record (issue 16 point 2). The record's
-- content (conditions, medicines, allergies), each measurement's values and
-- each call-out's note are sealed like the elders' notes (enc1:…); only the
-- dates stay plain, for the community's summary and the charts' order.
CREATE TABLE health_records (
  elder_id   INTEGER PRIMARY KEY REFERENCES elders(id),
  data       TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  updated_by TEXT NOT NULL
);
CREATE TABLE health_measurements (
  id         INTEGER PRIMARY KEY,
  elder_id   INTEGER NOT NULL REFERENCES elders(id),
  taken_on   TEXT NOT NULL,
  data       TEXT NOT NULL,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL
);
CREATE INDEX health_measurements_elder ON health_measurements (elder_id, taken_on);
CREATE TABLE clinic_callouts (
  id         INTEGER PRIMARY KEY,
  elder_id   INTEGER NOT NULL REFERENCES elders(id),
  clinic_id  INTEGER REFERENCES clinics(id),
  called_at  TEXT NOT NULL,
  caller     TEXT NOT NULL,
  arrived_at TEXT,
  outcome    TEXT NOT NULL,
  note       TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL
);
CREATE INDEX clinic_callouts_elder ON clinic_callouts (elder_id, called_at);
CREATE INDEX clinic_callouts_clinic ON clinic_callouts (clinic_id, called_at);

-- +goose Down
SELECT 'migrations are never rolled back; restore a backup instead';
