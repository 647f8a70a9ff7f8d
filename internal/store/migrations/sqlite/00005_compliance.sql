-- +goose Up
-- Service standards (服务要求) as data, the compliance state kept up to date
-- as records arrive, and the daily knock's alerts (SPEC §5, §9).

-- One row per version of a standard: the station's JSON form of
-- compliance.Standard. Versions are added, never rewritten in the past: a
-- period is judged by the version in force on its first day.
CREATE TABLE standards (
  id             INTEGER PRIMARY KEY,
  street_id      INTEGER NOT NULL REFERENCES streets(id),
  code           TEXT NOT NULL,
  effective_from TEXT NOT NULL, -- YYYY-MM-DD; 1970-01-01 means always
  definition     TEXT NOT NULL,
  created_by     TEXT NOT NULL,
  created_at     TEXT NOT NULL,
  UNIQUE (street_id, code, effective_from)
);

-- Festivals the station keeps besides 春节, 元宵, 中秋 and 重阳.
CREATE TABLE street_festivals (
  id             INTEGER PRIMARY KEY,
  street_id      INTEGER NOT NULL REFERENCES streets(id),
  code           TEXT NOT NULL,
  name           TEXT NOT NULL,
  lunar          INTEGER NOT NULL DEFAULT 0,
  month          INTEGER NOT NULL,
  day            INTEGER NOT NULL,
  effective_from TEXT NOT NULL,
  created_by     TEXT NOT NULL,
  created_at     TEXT NOT NULL,
  UNIQUE (street_id, code)
);

-- Per street: settings_version counts changes of standards and festivals;
-- the persisted state below was built with state_version and has applied
-- every service record up to watermark, so a restart reads only what came
-- after it.
CREATE TABLE compliance_streets (
  street_id        INTEGER PRIMARY KEY REFERENCES streets(id),
  settings_version INTEGER NOT NULL DEFAULT 0,
  state_version    INTEGER NOT NULL DEFAULT -1,
  watermark        INTEGER NOT NULL DEFAULT 0,
  updated_at       TEXT NOT NULL DEFAULT ''
);

-- The pairings the compliance state tracks: real pairings ('p' + id) and
-- each elder's assigned clinic ('k' + elder id), with the days they cover.
-- The clinic's days exist only here, so a rebuild reads them from here.
-- birthday is the elder's birthday as the state knows it ("1941-03-05",
-- "L" added when kept by the lunar calendar): a change needs a rebuild.
CREATE TABLE compliance_pairings (
  street_id    INTEGER NOT NULL,
  pairing_key  TEXT NOT NULL,
  elder_id     INTEGER NOT NULL,
  volunteer_id INTEGER,
  role         TEXT NOT NULL,
  from_day     TEXT NOT NULL,
  to_day       TEXT,
  birthday     TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (street_id, pairing_key)
) WITHOUT ROWID;

-- One cell of the state: the records counted towards one requirement of a
-- standard for a pairing in a period, as "record:day" pairs.
CREATE TABLE compliance_rows (
  street_id   INTEGER NOT NULL,
  pairing_key TEXT NOT NULL,
  standard    TEXT NOT NULL,
  period      TEXT NOT NULL,
  requirement INTEGER NOT NULL,
  entries     TEXT NOT NULL,
  PRIMARY KEY (street_id, pairing_key, standard, period, requirement)
) WITHOUT ROWID;

-- An elder living alone not greeted by the set hour raises one alert per
-- day (the unique key makes raising it again, e.g. after a restart, a no-op).
CREATE TABLE alerts (
  id           INTEGER PRIMARY KEY,
  kind         TEXT NOT NULL CHECK (kind IN ('not_greeted')),
  elder_id     INTEGER NOT NULL REFERENCES elders(id),
  community_id INTEGER NOT NULL REFERENCES communities(id),
  street_id    INTEGER NOT NULL REFERENCES streets(id),
  day          TEXT NOT NULL,
  -- the local day's bounds as stored times, to find a greeting made after all
  day_from     TEXT NOT NULL,
  day_to       TEXT NOT NULL,
  status       TEXT NOT NULL CHECK (status IN ('open','acknowledged','resolved')),
  raised_at    TEXT NOT NULL,
  raised_by    TEXT NOT NULL,
  updated_at   TEXT NOT NULL,
  note         TEXT NOT NULL DEFAULT '',
  UNIQUE (elder_id, day, kind)
);
CREATE INDEX alerts_community ON alerts (community_id, status, day);
CREATE INDEX alerts_street ON alerts (street_id, status, day);

-- Who was greeted on a day is a range of this index (the day's greetings
-- of its month), not a probe per elder: the live lists and the daily check
-- of a street of 20,000 elders read only that day's greetings.
CREATE INDEX service_records_day ON service_records (month, type, at, elder_id, amends);

CREATE TABLE alert_events (
  id       INTEGER PRIMARY KEY,
  alert_id INTEGER NOT NULL REFERENCES alerts(id),
  at       TEXT NOT NULL,
  by_user  TEXT NOT NULL,
  status   TEXT NOT NULL,
  note     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX alert_events_alert ON alert_events (alert_id, id);

-- +goose Down
SELECT 'migrations are never rolled back; restore a backup instead';
