-- +goose Up
-- Activities (活动, issue 15 point 1, SPEC §8, README "活动 (activities)").
-- The station plans street-wide activities (community_id NULL) or any
-- community's; community staff their community's. A series (系列活动) has
-- stages, each an activity with series_id and stage 1..n. Nothing is
-- deleted: an activity is cancelled by its status, a sign-up by
-- cancelled_at; attendance corrections are audited and re-book the hours
-- ledger (hours_ledger.activity_id).
CREATE TABLE activity_series (
  id            INTEGER PRIMARY KEY,
  street_id     INTEGER NOT NULL REFERENCES streets(id),
  community_id  INTEGER REFERENCES communities(id),
  template      TEXT NOT NULL DEFAULT '',
  theme         TEXT NOT NULL,
  background    TEXT NOT NULL DEFAULT '',
  purposes      TEXT NOT NULL DEFAULT '',
  organisers    TEXT NOT NULL DEFAULT '',
  safety        TEXT NOT NULL DEFAULT '',
  created_by    TEXT NOT NULL,
  created_at    TEXT NOT NULL
);
CREATE TABLE activities (
  id            INTEGER PRIMARY KEY,
  street_id     INTEGER NOT NULL REFERENCES streets(id),
  community_id  INTEGER REFERENCES communities(id),
  series_id     INTEGER REFERENCES activity_series(id),
  stage         INTEGER NOT NULL DEFAULT 0,
  template      TEXT NOT NULL DEFAULT '',
  theme         TEXT NOT NULL,
  background    TEXT NOT NULL DEFAULT '',
  purposes      TEXT NOT NULL DEFAULT '',
  organisers    TEXT NOT NULL DEFAULT '',
  place         TEXT NOT NULL DEFAULT '',
  participants  TEXT NOT NULL DEFAULT '',
  safety        TEXT NOT NULL DEFAULT '',
  content       TEXT NOT NULL DEFAULT '',
  preparation   TEXT NOT NULL DEFAULT '',
  expected      TEXT NOT NULL DEFAULT '',
  day           TEXT NOT NULL,
  start_time    TEXT NOT NULL,
  end_time      TEXT NOT NULL,
  cap           INTEGER NOT NULL DEFAULT 0,
  status        TEXT NOT NULL DEFAULT 'planned',
  summary       TEXT NOT NULL DEFAULT '',
  residents     INTEGER NOT NULL DEFAULT 0,
  created_by    TEXT NOT NULL,
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL,
  held_by       TEXT NOT NULL DEFAULT '',
  held_at       TEXT
);
CREATE INDEX activities_street_day ON activities (street_id, day);
CREATE INDEX activities_community_day ON activities (community_id, day);
CREATE INDEX activities_series ON activities (series_id, stage);
-- The preparation checklist: item, owner (a volunteer, or none: staff),
-- deadline, done.
CREATE TABLE activity_checklist (
  id                 INTEGER PRIMARY KEY,
  activity_id        INTEGER NOT NULL REFERENCES activities(id),
  item               TEXT NOT NULL,
  owner_volunteer_id INTEGER REFERENCES volunteers(id),
  due                TEXT,
  done               INTEGER NOT NULL DEFAULT 0,
  done_at            TEXT,
  done_by            TEXT NOT NULL DEFAULT '',
  created_by         TEXT NOT NULL,
  created_at         TEXT NOT NULL
);
CREATE INDEX activity_checklist_activity ON activity_checklist (activity_id, id);
CREATE INDEX activity_checklist_owner ON activity_checklist (owner_volunteer_id);
-- Sign-ups and attendance. A cancelled sign-up keeps its row
-- (cancelled_at); at most one live sign-up per volunteer and activity.
CREATE TABLE activity_signups (
  id             INTEGER PRIMARY KEY,
  activity_id    INTEGER NOT NULL REFERENCES activities(id),
  volunteer_id   INTEGER NOT NULL REFERENCES volunteers(id),
  signed_at      TEXT NOT NULL,
  signed_by      TEXT NOT NULL,
  cancelled_at   TEXT,
  cancelled_by   TEXT NOT NULL DEFAULT '',
  present        INTEGER NOT NULL DEFAULT 0,
  checked_in_at  TEXT,
  minutes        INTEGER NOT NULL DEFAULT 0,
  corrected_by   TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX activity_signups_live ON activity_signups (activity_id, volunteer_id) WHERE cancelled_at IS NULL;
CREATE INDEX activity_signups_volunteer ON activity_signups (volunteer_id);
-- Registered elders who took part; record_id is the visit service record
-- (by_committee) written when the activity is marked held.
CREATE TABLE activity_elders (
  activity_id   INTEGER NOT NULL REFERENCES activities(id),
  elder_id      INTEGER NOT NULL REFERENCES elders(id),
  record_id     INTEGER,
  PRIMARY KEY (activity_id, elder_id)
);
CREATE INDEX activity_elders_elder ON activity_elders (elder_id);

-- +goose Down
SELECT 'migrations are never rolled back; restore a backup instead';
