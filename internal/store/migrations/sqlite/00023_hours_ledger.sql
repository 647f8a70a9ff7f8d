-- +goose Up
-- The hours ledger and time bank (issue 16 point 4, README "服务时长 /
-- Hours ledger and time bank"). Append-only: an entry is never changed or
-- deleted; an amendment or a struck-out record adds a reversal entry.
-- An account is a volunteer's, or an elder's future-care account (hours
-- donated for the elder's later care): exactly one of volunteer_id and
-- elder_id. street_id and community_id are the account's, for scoping
-- and reports. at is when the service happened (for a credit or its
-- reversal) or when the entry was made (opening balance, donation).
CREATE TABLE hours_ledger (
  id            INTEGER PRIMARY KEY,
  street_id     INTEGER NOT NULL REFERENCES streets(id),
  community_id  INTEGER NOT NULL REFERENCES communities(id),
  volunteer_id  INTEGER REFERENCES volunteers(id),
  elder_id      INTEGER REFERENCES elders(id),
  source        TEXT NOT NULL,
  minutes       INTEGER NOT NULL,
  at            TEXT NOT NULL,
  record_id     INTEGER,
  amendment_id  INTEGER,
  group_key     TEXT NOT NULL DEFAULT '',
  activity_id   INTEGER,
  request_id    INTEGER,
  transfer_id   INTEGER,
  note          TEXT NOT NULL DEFAULT '',
  entered_by    TEXT NOT NULL,
  entered_at    TEXT NOT NULL,
  CHECK ((volunteer_id IS NULL) <> (elder_id IS NULL))
);
CREATE INDEX hours_ledger_volunteer ON hours_ledger (volunteer_id, at) WHERE volunteer_id IS NOT NULL;
CREATE INDEX hours_ledger_elder ON hours_ledger (elder_id, at) WHERE elder_id IS NOT NULL;
CREATE INDEX hours_ledger_record ON hours_ledger (record_id) WHERE record_id IS NOT NULL;
CREATE INDEX hours_ledger_group ON hours_ledger (volunteer_id, group_key) WHERE group_key <> '';
CREATE INDEX hours_ledger_community ON hours_ledger (community_id, at);
-- The typed hours become an opening balance once per volunteer.
CREATE UNIQUE INDEX hours_ledger_opening ON hours_ledger (volunteer_id) WHERE source = 'opening';

-- +goose StatementBegin
CREATE TRIGGER hours_ledger_append_only_u BEFORE UPDATE ON hours_ledger
BEGIN SELECT RAISE(ABORT, 'hours ledger entries are never changed; add a reversal'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER hours_ledger_append_only_d BEFORE DELETE ON hours_ledger
BEGIN SELECT RAISE(ABORT, 'hours ledger entries are never deleted; add a reversal'); END;
-- +goose StatementEnd

-- A street's rule: which records earn ('confirmed': verified or confirmed
-- by staff; 'recorded': every record) and its standard durations (one row
-- per service type it set; the others keep the defaults).
CREATE TABLE hours_policies (
  street_id   INTEGER PRIMARY KEY REFERENCES streets(id),
  earn        TEXT NOT NULL,
  updated_by  TEXT NOT NULL,
  updated_at  TEXT NOT NULL
);
CREATE TABLE hours_standards (
  street_id  INTEGER NOT NULL REFERENCES streets(id),
  type_key   TEXT NOT NULL,
  minutes    INTEGER NOT NULL,
  PRIMARY KEY (street_id, type_key)
);

-- The hours typed on the register so far are each volunteer's opening
-- balance (in tenths of an hour: 6 minutes each).
INSERT INTO hours_ledger (street_id, community_id, volunteer_id, source, minutes, at, note, entered_by, entered_at)
SELECT c.street_id, v.community_id, v.id, 'opening', v.hours_tenths * 6, v.created_at, '', 'migration', v.created_at
FROM volunteers v JOIN communities c ON c.id = v.community_id WHERE v.hours_tenths > 0;

-- +goose Down
SELECT 'migrations are never rolled back; restore a backup instead';
