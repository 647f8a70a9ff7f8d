-- +goose Up
-- The committee in every circle (issue 15 point 4): a visit a volunteer
-- makes that the community committee organised (居委会组织) counts for the
-- committee's standards as well as the volunteer's; and each community
-- names the staff member responsible for the committee's part.
ALTER TABLE service_records ADD COLUMN by_committee BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE communities ADD COLUMN committee_lead_id BIGINT REFERENCES users(id);

-- +goose Down
SELECT 'migrations are never rolled back; restore a backup instead';
