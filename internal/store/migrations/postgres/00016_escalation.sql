-- +goose Up
-- The escalation chain (issue 13 points 2 and 3, README "The escalation
-- chain"). A street's policy: when its neighbours are reminded of an elder
-- not greeted (HH:MM, '' for never), how long after the alert nobody
-- acknowledged the family is told, how long after that the clinic and the
-- station are, and how long an emergency may wait unacknowledged before
-- the station is told. A street without a row has the defaults.
CREATE TABLE escalation_policies (
  street_id         BIGINT PRIMARY KEY REFERENCES streets(id),
  reminder_at       TEXT NOT NULL,
  family_after      INTEGER NOT NULL,
  station_after     INTEGER NOT NULL,
  emergency_after   INTEGER NOT NULL,
  updated_by        TEXT NOT NULL,
  updated_at        TEXT NOT NULL
);

-- Which step of the chain a message belongs to ('' for messages of no
-- chain): reminder, alert, family, clinic_station, stopped; emergency,
-- emergency_station, emergency_acknowledged. The 18:00 reminders of an
-- elder are found by elder and day when the alert is raised, and joined
-- to it.
ALTER TABLE outbox ADD COLUMN step TEXT NOT NULL DEFAULT '';
CREATE INDEX outbox_step ON outbox (elder_id, step, created_at) WHERE step <> '';

-- Where an alert's chain stands: the last step taken (1 the alert itself,
-- 2 the family, 3 the clinic and the station) and whether it is done
-- (every step taken, or stopped by a greeting or an acknowledgement:
-- esc_stopped says which). AdvanceEscalations reads the chains not done.
ALTER TABLE alerts ADD COLUMN esc_step INTEGER NOT NULL DEFAULT 1;
ALTER TABLE alerts ADD COLUMN esc_done INTEGER NOT NULL DEFAULT 0;
ALTER TABLE alerts ADD COLUMN esc_stopped TEXT NOT NULL DEFAULT '';
UPDATE alerts SET esc_done = 1;
CREATE INDEX alerts_escalating ON alerts (raised_at) WHERE esc_done = 0;

-- The evening reminders of a street's day were sent (once per street and
-- day, whichever server sends them).
CREATE TABLE escalation_reminders (
  street_id BIGINT NOT NULL REFERENCES streets(id),
  day       TEXT NOT NULL,
  sent_at   TEXT NOT NULL,
  PRIMARY KEY (street_id, day)
);

-- An emergency case is acknowledged by staff's first update of it (a note,
-- a referral, its resolution); one nobody acknowledged in time is
-- escalated to the station once.
ALTER TABLE cases ADD COLUMN acknowledged_at TEXT;
ALTER TABLE cases ADD COLUMN acknowledged_by TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN escalated_at TEXT;
-- Cases from before the chain are taken as handled: none is escalated now.
UPDATE cases SET acknowledged_at = updated_at WHERE status <> 'open' OR urgent = FALSE;
UPDATE cases SET escalated_at = opened_at WHERE acknowledged_at IS NULL;
CREATE INDEX cases_unacknowledged ON cases (opened_at) WHERE urgent = TRUE AND acknowledged_at IS NULL AND escalated_at IS NULL;

-- +goose Down
SELECT 'migrations are never rolled back; restore a backup instead';
