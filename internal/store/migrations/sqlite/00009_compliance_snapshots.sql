-- +goose Up
-- The compliance state is saved as versioned snapshots: a snapshot's bytes
-- are written in chunks, each in a short transaction of its own, and
-- compliance_streets.snapshot_id is switched to it in one small
-- transaction once every chunk is there. Writers of records never wait
-- for a large save, a restart reads a few tens of megabytes instead of
-- millions of rows, and two servers' saves cannot mix: each writes its
-- own snapshot and only a complete one, not older than the current, is
-- switched in.
CREATE TABLE compliance_snapshots (
  id               INTEGER PRIMARY KEY,
  street_id        INTEGER NOT NULL REFERENCES streets(id),
  settings_version INTEGER NOT NULL,
  watermark        INTEGER NOT NULL,
  chunks           INTEGER NOT NULL,
  bytes            INTEGER NOT NULL,
  created_at       TEXT NOT NULL
);
CREATE INDEX compliance_snapshots_street ON compliance_snapshots (street_id);

CREATE TABLE compliance_snapshot_chunks (
  snapshot_id INTEGER NOT NULL,
  seq         INTEGER NOT NULL,
  data        BLOB NOT NULL,
  PRIMARY KEY (snapshot_id, seq)
) WITHOUT ROWID;

ALTER TABLE compliance_streets ADD COLUMN snapshot_id INTEGER;

-- The cells saved row by row before are not read any more (a street
-- without a snapshot is rebuilt once); compliance_pairings is kept for
-- the clinics' days it holds.
DROP TABLE compliance_rows;

-- +goose Down
SELECT 'migrations are never rolled back; restore a backup instead';
