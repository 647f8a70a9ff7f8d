-- +goose Up
-- Requests for help (按需服务, issue 16 point 1). A request is never
-- deleted; every status change is a row of request_events (history).
-- done requires service_id of a service record of the same elder; the
-- hours come from that record's credit (no separate credit here).
CREATE TABLE requests (
  id            INTEGER PRIMARY KEY,
  community_id  INTEGER NOT NULL REFERENCES communities(id),
  elder_id      INTEGER NOT NULL REFERENCES elders(id),
  kind          TEXT NOT NULL,
  type          TEXT NOT NULL DEFAULT '',
  urgency       TEXT NOT NULL DEFAULT 'normal',
  wanted_by     TEXT NOT NULL,
  note          TEXT NOT NULL DEFAULT '',
  channel       TEXT NOT NULL,
  status        TEXT NOT NULL DEFAULT 'open',
  assignee_id   INTEGER REFERENCES volunteers(id),
  dispatched_at TEXT,
  accepted_at   TEXT,
  done_at       TEXT,
  service_id    INTEGER, -- a service_records row of the same elder (checked by the store)
  escalated     TEXT NOT NULL DEFAULT '',
  created_at    TEXT NOT NULL,
  created_by    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX requests_community_status ON requests (community_id, status, id);
CREATE INDEX requests_assignee ON requests (assignee_id, status);
CREATE INDEX requests_elder ON requests (elder_id, id);

CREATE TABLE request_events (
  id           INTEGER PRIMARY KEY,
  request_id   INTEGER NOT NULL REFERENCES requests(id),
  status       TEXT NOT NULL,
  volunteer_id INTEGER REFERENCES volunteers(id),
  reason       TEXT NOT NULL DEFAULT '',
  at           TEXT NOT NULL,
  actor        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX request_events_request ON request_events (request_id, id);

-- +goose Down
SELECT 'migrations are never rolled back; restore a backup instead';
