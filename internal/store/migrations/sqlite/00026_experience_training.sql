-- +goose Up
-- Work information upward and the volunteers' training and commendation
-- (issue 15 points 5 and 6, README "典型经验、上报与培训表彰").
--
-- A community's typical-experience report (典型经验): written by community
-- staff (draft), submitted to the station, which opens it (read_at) and
-- receives it or returns it with a reason; a returned report is edited and
-- submitted again. month is the month whose work it tells of: the street's
-- report of that month includes the received ones.
CREATE TABLE experience_reports (
  id            INTEGER PRIMARY KEY,
  street_id     INTEGER NOT NULL REFERENCES streets(id),
  community_id  INTEGER NOT NULL REFERENCES communities(id),
  month         TEXT NOT NULL,
  title         TEXT NOT NULL,
  body          TEXT NOT NULL,
  status        TEXT NOT NULL DEFAULT 'draft',
  reason        TEXT NOT NULL DEFAULT '',
  created_by    TEXT NOT NULL,
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL,
  submitted_at  TEXT,
  submitted_by  TEXT NOT NULL DEFAULT '',
  read_at       TEXT,
  read_by       TEXT NOT NULL DEFAULT '',
  decided_at    TEXT,
  decided_by    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX experience_reports_community ON experience_reports (community_id, month);
CREATE INDEX experience_reports_street ON experience_reports (street_id, status, month);
-- Photos of a report: ids of the attachment store's files, in order.
CREATE TABLE experience_photos (
  report_id     INTEGER NOT NULL REFERENCES experience_reports(id),
  attachment_id INTEGER NOT NULL,
  position      INTEGER NOT NULL,
  PRIMARY KEY (report_id, attachment_id)
);

-- The monthly report's submit-and-receive step: a community submits its
-- month's statistics report, the station receives it or returns it with a
-- reason (the community then submits again). One row per community and
-- month; every step is in the audit log.
CREATE TABLE report_submissions (
  community_id  INTEGER NOT NULL REFERENCES communities(id),
  month         TEXT NOT NULL,
  street_id     INTEGER NOT NULL REFERENCES streets(id),
  status        TEXT NOT NULL,
  submitted_at  TEXT NOT NULL,
  submitted_by  TEXT NOT NULL,
  decided_at    TEXT,
  decided_by    TEXT NOT NULL DEFAULT '',
  reason        TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (community_id, month)
);
CREATE INDEX report_submissions_street ON report_submissions (street_id, month);

-- Training sessions (培训) replace the register's free-text training field,
-- which stays on the volunteer as read-only history (the paper register's
-- words). A session is held by a community (the station chooses which) and
-- attended by volunteers of the street.
CREATE TABLE training_sessions (
  id            INTEGER PRIMARY KEY,
  street_id     INTEGER NOT NULL REFERENCES streets(id),
  community_id  INTEGER NOT NULL REFERENCES communities(id),
  topic         TEXT NOT NULL,
  held_on       TEXT NOT NULL,
  trainer       TEXT NOT NULL,
  place         TEXT NOT NULL DEFAULT '',
  note          TEXT NOT NULL DEFAULT '',
  created_by    TEXT NOT NULL,
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL
);
CREATE INDEX training_sessions_community ON training_sessions (community_id, held_on);
CREATE TABLE training_attendees (
  session_id    INTEGER NOT NULL REFERENCES training_sessions(id),
  volunteer_id  INTEGER NOT NULL REFERENCES volunteers(id),
  PRIMARY KEY (session_id, volunteer_id)
);
CREATE INDEX training_attendees_volunteer ON training_attendees (volunteer_id);

-- Commendations (表彰) of a volunteer; community_id is the volunteer's when
-- recorded, for the reports.
CREATE TABLE commendations (
  id            INTEGER PRIMARY KEY,
  volunteer_id  INTEGER NOT NULL REFERENCES volunteers(id),
  community_id  INTEGER NOT NULL REFERENCES communities(id),
  title         TEXT NOT NULL,
  awarded_on    TEXT NOT NULL,
  reason        TEXT NOT NULL DEFAULT '',
  awarded_by    TEXT NOT NULL DEFAULT '',
  created_by    TEXT NOT NULL,
  created_at    TEXT NOT NULL
);
CREATE INDEX commendations_volunteer ON commendations (volunteer_id, awarded_on);
CREATE INDEX commendations_community ON commendations (community_id, awarded_on);

-- +goose Down
SELECT 'migrations are never rolled back; restore a backup instead';
