-- +goose Up
-- Lists show the highest priority first. Keeping the street on each elder
-- lets the station's list read its first page straight from an index
-- instead of sorting every elder of the street; a community never moves to
-- another street, so the copy cannot go stale.
ALTER TABLE elders ADD COLUMN street_id BIGINT REFERENCES streets(id);
UPDATE elders SET street_id = (SELECT c.street_id FROM communities c WHERE c.id = elders.community_id);
CREATE INDEX elders_street_priority ON elders (street_id, priority DESC, id);
CREATE INDEX elders_community_priority ON elders (community_id, priority DESC, id);
-- Narrow covering indexes for search by part of a name or phone and for the
-- common filters: scanning them is a fraction of scanning whole records.
CREATE INDEX elders_street_search ON elders (street_id, name, phone, self_care, status, birth_date, priority);
CREATE INDEX elders_community_search ON elders (community_id, name, phone, self_care, status, birth_date, priority);

-- +goose Down
SELECT 'migrations are never rolled back; restore a backup instead';
