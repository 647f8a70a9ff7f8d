-- +goose Up
-- Households (包户, issue 16 point 3): elders living together. Membership
-- has from/to dates and is never deleted (history); an elder is in at most
-- one current household. A household visit is recorded as one service
-- record per member sharing household_visit_id (one row of
-- household_visits), written in one transaction.
CREATE TABLE households (
  id           INTEGER PRIMARY KEY,
  community_id INTEGER NOT NULL REFERENCES communities(id),
  name         TEXT NOT NULL DEFAULT '',
  note         TEXT NOT NULL DEFAULT '',
  created_at   TEXT NOT NULL,
  created_by   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX households_community ON households (community_id, id);

CREATE TABLE household_members (
  id           INTEGER PRIMARY KEY,
  household_id INTEGER NOT NULL REFERENCES households(id),
  elder_id     INTEGER NOT NULL REFERENCES elders(id),
  from_date    TEXT NOT NULL,
  to_date      TEXT,
  end_reason   TEXT NOT NULL DEFAULT '',
  created_at   TEXT NOT NULL,
  created_by   TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX household_members_current ON household_members (elder_id) WHERE to_date IS NULL;
CREATE INDEX household_members_household ON household_members (household_id, to_date);

CREATE TABLE household_visits (
  id           TEXT PRIMARY KEY,
  household_id INTEGER NOT NULL REFERENCES households(id),
  volunteer_id INTEGER REFERENCES volunteers(id),
  at           TEXT NOT NULL,
  entered_by   TEXT NOT NULL,
  entered_at   TEXT NOT NULL
);
CREATE INDEX household_visits_household ON household_visits (household_id, at);

ALTER TABLE service_records ADD COLUMN household_visit_id TEXT REFERENCES household_visits(id);
CREATE INDEX service_records_household_visit ON service_records (household_visit_id) WHERE household_visit_id IS NOT NULL;

-- The street's rule: a household paired with one volunteer takes one of
-- the volunteer's places (1, the default) or one per member (0).
ALTER TABLE streets ADD COLUMN household_counts_once INTEGER NOT NULL DEFAULT 1;

-- +goose Down
SELECT 'migrations are never rolled back; restore a backup instead';
