-- +goose Up
-- Statistics reports (统计上报) count a street's month of records (600,000
-- in a street of 20,000 elders) by type, by elder and by volunteer. The
-- month index carries those columns, so the counts read the index alone
-- instead of every record; what used it before uses the same prefix.
DROP INDEX service_records_month;
CREATE INDEX service_records_month ON service_records (month, elder_id, type, volunteer_id, amends);
-- Few records have an end time; service hours are summed over those only.
CREATE INDEX service_records_timed ON service_records (month, elder_id) WHERE end_at IS NOT NULL;

-- +goose Down
SELECT 'migrations are never rolled back; restore a backup instead';
