-- +goose Up
-- Timestamps are UTC text 'YYYY-MM-DDTHH:MM:SS.sssZ' and dates 'YYYY-MM-DD' in
-- both dialects so that queries and comparisons read the same everywhere.
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE streets (
  id       INTEGER PRIMARY KEY,
  name     TEXT NOT NULL,
  district TEXT NOT NULL DEFAULT '',
  city     TEXT NOT NULL DEFAULT ''
);

CREATE TABLE communities (
  id        INTEGER PRIMARY KEY,
  street_id INTEGER NOT NULL REFERENCES streets(id),
  name      TEXT NOT NULL,
  code      TEXT NOT NULL DEFAULT '',
  UNIQUE (street_id, name)
);

CREATE TABLE buildings (
  id           INTEGER PRIMARY KEY,
  community_id INTEGER NOT NULL REFERENCES communities(id),
  name         TEXT NOT NULL,
  position     INTEGER NOT NULL DEFAULT 0,
  UNIQUE (community_id, name)
);

CREATE TABLE clinics (
  id        INTEGER PRIMARY KEY,
  street_id INTEGER NOT NULL REFERENCES streets(id),
  name      TEXT NOT NULL,
  phone     TEXT NOT NULL DEFAULT '',
  address   TEXT NOT NULL DEFAULT ''
);

CREATE TABLE clinic_communities (
  clinic_id    INTEGER NOT NULL REFERENCES clinics(id),
  community_id INTEGER NOT NULL REFERENCES communities(id),
  PRIMARY KEY (clinic_id, community_id)
);

CREATE TABLE elders (
  id                 INTEGER PRIMARY KEY,
  community_id       INTEGER NOT NULL REFERENCES communities(id),
  name               TEXT NOT NULL,
  gender             TEXT NOT NULL CHECK (gender IN ('male','female')),
  birth_date         TEXT NOT NULL,
  lunar_birthday     INTEGER NOT NULL DEFAULT 0,
  id_enc             BLOB NOT NULL,
  id_hash            TEXT NOT NULL UNIQUE,
  id_masked          TEXT NOT NULL,
  phone              TEXT NOT NULL DEFAULT '',
  building           TEXT NOT NULL DEFAULT '',
  unit               TEXT NOT NULL DEFAULT '',
  room               TEXT NOT NULL DEFAULT '',
  lat                REAL,
  lon                REAL,
  living_situation   TEXT NOT NULL,
  self_care          TEXT NOT NULL,
  categories         TEXT NOT NULL DEFAULT ',',
  needs              TEXT NOT NULL DEFAULT ',',
  emergency_contacts TEXT NOT NULL DEFAULT '[]',
  wishes             TEXT NOT NULL DEFAULT '{}',
  notes              TEXT NOT NULL DEFAULT '',
  status             TEXT NOT NULL DEFAULT 'active',
  priority           INTEGER NOT NULL,
  priority_override  INTEGER,
  priority_reason    TEXT NOT NULL DEFAULT '',
  clinic_id          INTEGER REFERENCES clinics(id),
  consent            INTEGER NOT NULL DEFAULT 0,
  created_at         TEXT NOT NULL,
  updated_at         TEXT NOT NULL
);
CREATE INDEX elders_community ON elders (community_id, id);
CREATE INDEX elders_clinic ON elders (clinic_id);
CREATE INDEX elders_name ON elders (name);
CREATE INDEX elders_phone ON elders (phone);

CREATE TABLE elder_status_history (
  id        INTEGER PRIMARY KEY,
  elder_id  INTEGER NOT NULL REFERENCES elders(id),
  from_status TEXT NOT NULL,
  to_status TEXT NOT NULL,
  reason    TEXT NOT NULL DEFAULT '',
  at        TEXT NOT NULL,
  by_user   TEXT NOT NULL
);
CREATE INDEX elder_status_history_elder ON elder_status_history (elder_id, id);

CREATE TABLE volunteers (
  id           INTEGER PRIMARY KEY,
  community_id INTEGER NOT NULL REFERENCES communities(id),
  name         TEXT NOT NULL,
  gender       TEXT NOT NULL DEFAULT '',
  birth_date   TEXT NOT NULL DEFAULT '',
  phone        TEXT NOT NULL,
  kind         TEXT NOT NULL CHECK (kind IN ('neighbour','social','committee','clinic')),
  address      TEXT NOT NULL DEFAULT '',
  lat          REAL,
  lon          REAL,
  capacity     INTEGER NOT NULL DEFAULT 1,
  skills       TEXT NOT NULL DEFAULT ',',
  availability TEXT NOT NULL DEFAULT '',
  team         TEXT NOT NULL DEFAULT '',
  status       TEXT NOT NULL DEFAULT 'active',
  training     TEXT NOT NULL DEFAULT '',
  honours      TEXT NOT NULL DEFAULT '',
  hours_tenths INTEGER NOT NULL DEFAULT 0,
  created_at   TEXT NOT NULL,
  updated_at   TEXT NOT NULL
);
CREATE INDEX volunteers_community ON volunteers (community_id, id);

-- A pairing puts a volunteer in an elder's care team (服务圈); ended
-- pairings stay as the relay history.
CREATE TABLE pairings (
  id           INTEGER PRIMARY KEY,
  elder_id     INTEGER NOT NULL REFERENCES elders(id),
  volunteer_id INTEGER NOT NULL REFERENCES volunteers(id),
  responsible  INTEGER NOT NULL DEFAULT 0,
  started_on   TEXT NOT NULL,
  ended_on     TEXT,
  end_reason   TEXT NOT NULL DEFAULT '',
  created_at   TEXT NOT NULL
);
CREATE INDEX pairings_volunteer ON pairings (volunteer_id, ended_on);
CREATE INDEX pairings_elder ON pairings (elder_id, ended_on);

CREATE TABLE users (
  id            INTEGER PRIMARY KEY,
  username      TEXT NOT NULL UNIQUE,
  display_name  TEXT NOT NULL DEFAULT '',
  password_hash TEXT NOT NULL,
  role          TEXT NOT NULL CHECK (role IN ('admin','station','community','volunteer','clinic','viewer')),
  street_id     INTEGER REFERENCES streets(id),
  community_id  INTEGER REFERENCES communities(id),
  volunteer_id  INTEGER REFERENCES volunteers(id),
  clinic_id     INTEGER REFERENCES clinics(id),
  lang          TEXT NOT NULL DEFAULT 'zh',
  disabled      INTEGER NOT NULL DEFAULT 0,
  created_at    TEXT NOT NULL
);

-- Only a hash of each session or API token is kept, so a copy of the
-- database does not let anyone log in.
CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  user_id    INTEGER NOT NULL REFERENCES users(id),
  kind       TEXT NOT NULL CHECK (kind IN ('web','api')),
  csrf       TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE audit_log (
  id        INTEGER PRIMARY KEY,
  at        TEXT NOT NULL,
  user_id   INTEGER,
  username  TEXT NOT NULL DEFAULT '',
  action    TEXT NOT NULL,
  entity    TEXT NOT NULL,
  entity_id INTEGER,
  before    TEXT NOT NULL DEFAULT '',
  after     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_entity ON audit_log (entity, entity_id);

-- +goose Down
SELECT 'migrations are never rolled back; restore a backup instead';
