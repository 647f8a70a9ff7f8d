-- +goose Up
-- Import jobs remember the rows the user confirmed as not duplicates
-- (issue 14 point 8): a look-alike row (name plus address or phone of
-- another ID number) is imported only when its row number is listed here.
ALTER TABLE import_jobs ADD COLUMN confirm_rows TEXT NOT NULL DEFAULT '';

-- +goose Down
SELECT 'migrations are never rolled back; restore a backup instead';
