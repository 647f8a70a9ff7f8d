-- +goose Up
-- Statistics reports sum service hours over the few records with an end
-- time; each month's partition is scanned whole for the other counts.
CREATE INDEX service_records_timed ON service_records (month, elder_id) WHERE end_at IS NOT NULL;

-- +goose Down
SELECT 'migrations are never rolled back; restore a backup instead';
