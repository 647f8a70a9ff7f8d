-- +goose Up
-- The duty roster (issue 13, README "Notifications"): who of a
-- community's staff is on duty when, so an alert reaches a person. A
-- weekly shift is a weekday (1 Monday … 7 Sunday) and hours (HH:MM; an end
-- at or before the start runs into the next day; '24:00' is midnight). An
-- exception covers days from_day..to_day: replaces_user_id's shifts go to
-- user_id, or with no replaces_user_id the whole roster gives way to
-- user_id all day; a NULL user_id is nobody.
CREATE TABLE duty_shifts (
  id           INTEGER PRIMARY KEY,
  community_id INTEGER NOT NULL REFERENCES communities(id),
  weekday      INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),
  start_time   TEXT NOT NULL,
  end_time     TEXT NOT NULL,
  user_id      INTEGER NOT NULL REFERENCES users(id)
);
CREATE INDEX duty_shifts_community ON duty_shifts (community_id);
CREATE TABLE duty_exceptions (
  id               INTEGER PRIMARY KEY,
  community_id     INTEGER NOT NULL REFERENCES communities(id),
  from_day         TEXT NOT NULL,
  to_day           TEXT NOT NULL,
  replaces_user_id INTEGER REFERENCES users(id),
  user_id          INTEGER REFERENCES users(id),
  note             TEXT NOT NULL DEFAULT ''
);
CREATE INDEX duty_exceptions_community ON duty_exceptions (community_id, to_day);

-- +goose Down
SELECT 'migrations are never rolled back; restore a backup instead';
