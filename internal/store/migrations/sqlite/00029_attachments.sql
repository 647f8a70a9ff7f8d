-- +goose Up
-- Attachments (附件, issue 15, README "附件 (attachments)"): photos and
-- files of an activity, a community's implementation plan (rollout_plan,
-- owner_id = community id) or a typical-experience report. A row is never
-- deleted: a removal is a flag with who and when. The content is kept by
-- its SHA-256 (of the bytes as kept, images encoded again), encrypted with
-- the data key: on SQLite in a folder beside the database file
-- (<db>.attachments/ab/<sha256>), on PostgreSQL (and for an in-memory
-- SQLite) in attachment_blobs.
CREATE TABLE attachments (
  id            INTEGER PRIMARY KEY,
  owner_kind    TEXT NOT NULL,
  owner_id      INTEGER NOT NULL,
  street_id     INTEGER NOT NULL REFERENCES streets(id),
  community_id  INTEGER REFERENCES communities(id),
  name          TEXT NOT NULL,
  content_type  TEXT NOT NULL,
  size          INTEGER NOT NULL,
  sha256        TEXT NOT NULL,
  width         INTEGER NOT NULL DEFAULT 0,
  height        INTEGER NOT NULL DEFAULT 0,
  has_thumb     INTEGER NOT NULL DEFAULT 0,
  thumb_sha256  TEXT NOT NULL DEFAULT '',
  created_by    TEXT NOT NULL,
  created_at    TEXT NOT NULL,
  removed_at    TEXT,
  removed_by    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX attachments_owner ON attachments (owner_kind, owner_id, id);
CREATE TABLE attachment_blobs (
  sha256        TEXT PRIMARY KEY,
  data          BLOB NOT NULL
);

-- +goose Down
SELECT 'migrations are never rolled back; restore a backup instead';
