-- +goose Up
-- Pairing (SPEC §3). A pairing is current while ended_on is NULL; ended ones
-- stay as the relay history. predecessor_id links a successor to the
-- pairing it took over (接力); needs_successor marks an ended pairing whose
-- elder still waits for one (待接力).
ALTER TABLE pairings ADD COLUMN predecessor_id INTEGER REFERENCES pairings(id);
ALTER TABLE pairings ADD COLUMN needs_successor INTEGER NOT NULL DEFAULT 0;
ALTER TABLE pairings ADD COLUMN created_by TEXT NOT NULL DEFAULT '';

-- Earlier versions did not stop a volunteer joining a team twice or a
-- second responsible person; close or demote the later duplicates so the
-- rules can be enforced by the indexes below.
UPDATE pairings SET ended_on = started_on, end_reason = '重复结对（升级时关闭）'
 WHERE ended_on IS NULL AND EXISTS (SELECT 1 FROM pairings o WHERE o.elder_id = pairings.elder_id
   AND o.volunteer_id = pairings.volunteer_id AND o.ended_on IS NULL AND o.id < pairings.id);
UPDATE pairings SET responsible = 0
 WHERE ended_on IS NULL AND responsible = 1 AND EXISTS (SELECT 1 FROM pairings o WHERE o.elder_id = pairings.elder_id
   AND o.ended_on IS NULL AND o.responsible = 1 AND o.id < pairings.id);
CREATE UNIQUE INDEX pairings_current_member ON pairings (elder_id, volunteer_id) WHERE ended_on IS NULL;
CREATE UNIQUE INDEX pairings_current_responsible ON pairings (elder_id) WHERE ended_on IS NULL AND responsible = 1;
CREATE INDEX pairings_predecessor ON pairings (predecessor_id);
CREATE INDEX pairings_waiting ON pairings (needs_successor, elder_id);

-- The signed assistance agreement (帮扶协议) of a pairing. A renewed
-- agreement is a new row; the newest is the one in force.
CREATE TABLE agreements (
  id          INTEGER PRIMARY KEY,
  pairing_id  INTEGER NOT NULL REFERENCES pairings(id),
  services    TEXT NOT NULL DEFAULT ',',
  start_on    TEXT NOT NULL,
  signed_on   TEXT NOT NULL,
  signatories TEXT NOT NULL DEFAULT '[]',
  terms       TEXT NOT NULL DEFAULT '',
  created_at  TEXT NOT NULL,
  created_by  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX agreements_pairing ON agreements (pairing_id, id);

-- Suggestions staff rejected, so that matching does not make them again
-- for a while.
CREATE TABLE pairing_rejections (
  id           INTEGER PRIMARY KEY,
  elder_id     INTEGER NOT NULL REFERENCES elders(id),
  volunteer_id INTEGER NOT NULL REFERENCES volunteers(id),
  reason       TEXT NOT NULL DEFAULT '',
  created_at   TEXT NOT NULL,
  created_by   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX pairing_rejections_elder ON pairing_rejections (elder_id, created_at);

-- +goose Down
SELECT 'migrations are never rolled back; restore a backup instead';
