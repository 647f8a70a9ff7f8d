-- +goose Up
-- Register import jobs kept in the database, so that any server of a
-- deployment can show a job's progress and report and commit its file.
-- The file is sealed with the data key (it holds full ID numbers) and
-- dropped once nothing can be imported from it; a job expires after 30
-- minutes. A run belongs to the server that claimed it (run counts the
-- claims) while its heartbeat is fresh; a dead server's run is claimed
-- again.
CREATE TABLE import_jobs (
  id           TEXT PRIMARY KEY,
  owner_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  kind         TEXT NOT NULL,
  file_name    TEXT NOT NULL,
  data         BLOB,
  created_at   TEXT NOT NULL,
  run          INTEGER NOT NULL DEFAULT 0,
  running      INTEGER NOT NULL DEFAULT 0,
  commit_run   INTEGER NOT NULL DEFAULT 0,
  ready        INTEGER NOT NULL DEFAULT 0,
  stage        TEXT NOT NULL DEFAULT '',
  done         INTEGER NOT NULL DEFAULT 0,
  total        INTEGER NOT NULL DEFAULT 0,
  heartbeat_at TEXT NOT NULL DEFAULT '',
  report       TEXT,
  err_code     TEXT NOT NULL DEFAULT '',
  err_message  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX import_jobs_owner ON import_jobs (owner_id, created_at);
CREATE INDEX import_jobs_created ON import_jobs (created_at);

-- +goose Down
SELECT 'migrations are never rolled back; restore a backup instead';
