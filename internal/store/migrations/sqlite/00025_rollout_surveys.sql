-- +goose Up
-- Rollout (工作推进) and needs surveys with approval (调查摸底、审核), issue
-- 15 points 2 and 3 (README "工作推进 / Rollout", "调查摸底与审核 /
-- Surveys and approval").
--
-- A community takes part in the programme from joined_on (the station
-- spreads it community by community); its implementation plan (实施方案)
-- is written text or an uploaded attachment.
CREATE TABLE rollout_communities (
  community_id       INTEGER PRIMARY KEY REFERENCES communities(id),
  street_id          INTEGER NOT NULL REFERENCES streets(id),
  joined_on          TEXT NOT NULL,
  plan_text          TEXT NOT NULL DEFAULT '',
  plan_attachment_id INTEGER,
  plan_at            TEXT NOT NULL DEFAULT '',
  plan_by            TEXT NOT NULL DEFAULT ''
);
-- Supervision visits (督导检查): a checklist (JSON [{item, ok, note}]) and findings.
CREATE TABLE rollout_supervisions (
  id           INTEGER PRIMARY KEY,
  community_id INTEGER NOT NULL REFERENCES communities(id),
  visited_on   TEXT NOT NULL,
  inspectors   TEXT NOT NULL,
  checklist    TEXT NOT NULL,
  findings     TEXT NOT NULL,
  by_user      TEXT NOT NULL,
  created_at   TEXT NOT NULL
);
CREATE INDEX rollout_supervisions_community ON rollout_supervisions (community_id, visited_on);
-- Experience exchanges (座谈会) of the street and the communities that took part.
CREATE TABLE rollout_meetings (
  id           INTEGER PRIMARY KEY,
  street_id    INTEGER NOT NULL REFERENCES streets(id),
  held_on      TEXT NOT NULL,
  place        TEXT NOT NULL DEFAULT '',
  participants TEXT NOT NULL,
  minutes      TEXT NOT NULL,
  lessons      TEXT NOT NULL,
  by_user      TEXT NOT NULL,
  created_at   TEXT NOT NULL
);
CREATE TABLE rollout_meeting_communities (
  meeting_id   INTEGER NOT NULL REFERENCES rollout_meetings(id),
  community_id INTEGER NOT NULL REFERENCES communities(id),
  PRIMARY KEY (meeting_id, community_id)
);
-- The station's approval (审核) of a community's elder list; the newest
-- row is the current one (approved, or withdrawn with approved = 0).
CREATE TABLE elder_list_approvals (
  id           INTEGER PRIMARY KEY,
  community_id INTEGER NOT NULL REFERENCES communities(id),
  approved     INTEGER NOT NULL,
  elders       INTEGER NOT NULL,
  note         TEXT NOT NULL DEFAULT '',
  by_user      TEXT NOT NULL,
  at           TEXT NOT NULL
);
CREATE INDEX elder_list_approvals_community ON elder_list_approvals (community_id, id);
-- Volunteers named by community staff to survey elders (专门调查人员).
CREATE TABLE surveyors (
  volunteer_id INTEGER PRIMARY KEY REFERENCES volunteers(id),
  community_id INTEGER NOT NULL REFERENCES communities(id),
  named_by     TEXT NOT NULL,
  named_at     TEXT NOT NULL
);
-- A survey of an elder, or a later change of category, self-care or
-- needs, is a proposal: answers (sealed JSON: health conditions are
-- sensitive), the fields that differ from the record, and the review's
-- decision per field.
CREATE TABLE surveys (
  id           INTEGER PRIMARY KEY,
  elder_id     INTEGER NOT NULL REFERENCES elders(id),
  community_id INTEGER NOT NULL REFERENCES communities(id),
  street_id    INTEGER NOT NULL REFERENCES streets(id),
  kind         TEXT NOT NULL,
  surveyor     TEXT NOT NULL,
  volunteer_id INTEGER REFERENCES volunteers(id),
  surveyed_on  TEXT NOT NULL,
  answers      TEXT NOT NULL,
  fields       TEXT NOT NULL,
  status       TEXT NOT NULL,
  decisions    TEXT NOT NULL DEFAULT '{}',
  review_note  TEXT NOT NULL DEFAULT '',
  reviewed_by  TEXT NOT NULL DEFAULT '',
  reviewed_at  TEXT NOT NULL DEFAULT '',
  created_at   TEXT NOT NULL
);
CREATE INDEX surveys_community ON surveys (community_id, status, id);
CREATE INDEX surveys_elder ON surveys (elder_id, id);
-- What surveys add to the elder's record beyond the elders table: the
-- detail of each need, health conditions (sealed) and wishes in words.
CREATE TABLE elder_profiles (
  elder_id     INTEGER PRIMARY KEY REFERENCES elders(id),
  need_details TEXT NOT NULL DEFAULT '{}',
  health       TEXT NOT NULL DEFAULT '',
  wishes       TEXT NOT NULL DEFAULT '',
  survey_id    INTEGER REFERENCES surveys(id),
  updated_at   TEXT NOT NULL
);
-- The history of needs: every accepted change of category, self-care or
-- needs, with the proposal it came from.
CREATE TABLE elder_need_history (
  id           INTEGER PRIMARY KEY,
  elder_id     INTEGER NOT NULL REFERENCES elders(id),
  survey_id    INTEGER REFERENCES surveys(id),
  field        TEXT NOT NULL,
  before_value TEXT NOT NULL,
  after_value  TEXT NOT NULL,
  by_user      TEXT NOT NULL,
  at           TEXT NOT NULL
);
CREATE INDEX elder_need_history_elder ON elder_need_history (elder_id, id);

-- +goose Down
SELECT 'migrations are never rolled back; restore a backup instead';
