-- +goose Up
-- Tamper evidence beyond the records' content (issue 12, README "Tamper
-- evidence"): a keyed seal per service record over its id, elder, place in
-- the chain and hash (a swapped id or moved amendment shows); keyed chains
-- over the case events and the audit log, and a keyed seal per case. The
-- seals are computed in Go with the data key; rows written before this
-- migration are sealed once when the store opens with the key.
CREATE TABLE record_seals (
  record_id INTEGER PRIMARY KEY,
  seal      TEXT NOT NULL
);
ALTER TABLE audit_log ADD COLUMN seal TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN seal TEXT NOT NULL DEFAULT '';
ALTER TABLE case_events ADD COLUMN seal TEXT NOT NULL DEFAULT '';
-- The sealed end of each chain that is not kept on an elder (audit log,
-- case events): its length, last seal and a seal over both. A missing row
-- is an empty chain.
CREATE TABLE chain_heads (
  name TEXT PRIMARY KEY,
  n    INTEGER NOT NULL,
  last TEXT NOT NULL,
  seal TEXT NOT NULL
);

-- +goose Down
SELECT 'migrations are never rolled back; restore a backup instead';
