-- +goose Up
-- The service card (居家养老服务卡): every service is an append-only record
-- chained per elder by a keyed hash; a month's signature locks it.
ALTER TABLE elders ADD COLUMN card_version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE elders ADD COLUMN pin_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE elders ADD COLUMN chain_len INTEGER NOT NULL DEFAULT 0;
-- chain_last is the hash of the elder's last record; the seals are keyed
-- hashes of the chain's and the signatures' ends, so that removing records
-- or signatures at the end cannot be covered up without the data key.
ALTER TABLE elders ADD COLUMN chain_last TEXT NOT NULL DEFAULT '';
ALTER TABLE elders ADD COLUMN chain_seal TEXT NOT NULL DEFAULT '';
ALTER TABLE elders ADD COLUMN sig_len INTEGER NOT NULL DEFAULT 0;
ALTER TABLE elders ADD COLUMN sig_seal TEXT NOT NULL DEFAULT '';

CREATE TABLE service_records (
  id            INTEGER PRIMARY KEY,
  elder_id      INTEGER NOT NULL REFERENCES elders(id),
  seq           INTEGER NOT NULL,
  month         TEXT NOT NULL,
  kind          TEXT NOT NULL,
  type          TEXT NOT NULL,
  at            TEXT NOT NULL,
  end_at        TEXT,
  volunteer_id  INTEGER REFERENCES volunteers(id),
  served_by     TEXT NOT NULL DEFAULT '',
  note          TEXT NOT NULL DEFAULT '',
  amount_cents  INTEGER NOT NULL DEFAULT 0,
  method        TEXT NOT NULL,
  verified      INTEGER NOT NULL DEFAULT 0,
  verify_detail TEXT NOT NULL DEFAULT '',
  source        TEXT NOT NULL,
  entered_by    TEXT NOT NULL,
  entered_at    TEXT NOT NULL,
  amends        INTEGER REFERENCES service_records(id),
  amend_reason  TEXT NOT NULL DEFAULT '',
  changes       TEXT NOT NULL DEFAULT '',
  prev_hash     TEXT NOT NULL,
  hash          TEXT NOT NULL,
  UNIQUE (elder_id, seq)
);
CREATE INDEX service_records_card ON service_records (elder_id, month, at);
CREATE INDEX service_records_month ON service_records (month, elder_id);
CREATE INDEX service_records_volunteer ON service_records (volunteer_id, at);
CREATE INDEX service_records_amends ON service_records (amends);

CREATE TABLE card_signatures (
  id         INTEGER PRIMARY KEY,
  elder_id   INTEGER NOT NULL REFERENCES elders(id),
  month      TEXT NOT NULL,
  result     TEXT NOT NULL CHECK (result IN ('pass','needs_improvement')),
  comment    TEXT NOT NULL DEFAULT '',
  signed_by  TEXT NOT NULL,
  signed_at  TEXT NOT NULL,
  chain_len  INTEGER NOT NULL,
  chain_head TEXT NOT NULL,
  mac        TEXT NOT NULL,
  UNIQUE (elder_id, month)
);
CREATE INDEX card_signatures_month ON card_signatures (month);

CREATE TABLE cases (
  id         INTEGER PRIMARY KEY,
  elder_id   INTEGER NOT NULL REFERENCES elders(id),
  record_id  INTEGER REFERENCES service_records(id),
  kind       TEXT NOT NULL CHECK (kind IN ('legal','emergency')),
  urgent     INTEGER NOT NULL DEFAULT 0,
  status     TEXT NOT NULL CHECK (status IN ('open','referred','resolved')),
  summary    TEXT NOT NULL,
  department TEXT NOT NULL DEFAULT '',
  opened_by  TEXT NOT NULL,
  opened_at  TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX cases_elder ON cases (elder_id);
CREATE INDEX cases_status ON cases (status, urgent);

CREATE TABLE case_events (
  id      INTEGER PRIMARY KEY,
  case_id INTEGER NOT NULL REFERENCES cases(id),
  at      TEXT NOT NULL,
  by_user TEXT NOT NULL,
  status  TEXT NOT NULL,
  note    TEXT NOT NULL DEFAULT '',
  department TEXT NOT NULL DEFAULT ''
);
CREATE INDEX case_events_case ON case_events (case_id, id);

-- Through any path, not only the application: records and signatures are
-- never changed or removed, and a signed month takes no new services
-- (amendments, which correct a record and show beside it, are allowed).
-- +goose StatementBegin
CREATE TRIGGER service_records_append_only_u BEFORE UPDATE ON service_records
BEGIN SELECT RAISE(ABORT, 'service records are never changed; record an amendment'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER service_records_append_only_d BEFORE DELETE ON service_records
BEGIN SELECT RAISE(ABORT, 'service records are never deleted; record an amendment'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER service_records_month_locked BEFORE INSERT ON service_records
WHEN NEW.amends IS NULL AND EXISTS (SELECT 1 FROM card_signatures s WHERE s.elder_id = NEW.elder_id AND s.month = NEW.month)
BEGIN SELECT RAISE(ABORT, 'card month is signed and locked'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER card_signatures_final_u BEFORE UPDATE ON card_signatures
BEGIN SELECT RAISE(ABORT, 'signatures are final'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER card_signatures_final_d BEFORE DELETE ON card_signatures
BEGIN SELECT RAISE(ABORT, 'signatures are final'); END;
-- +goose StatementEnd

-- +goose Down
SELECT 'migrations are never rolled back; restore a backup instead';
