-- +goose Up
-- Wrong PINs per elder, kept in the database so the lockout holds across
-- every server: 5 wrong within 15 minutes lock the elder's PIN for 15
-- minutes (README "Verification").
CREATE TABLE pin_attempts (
  elder_id     BIGINT PRIMARY KEY,
  failures     INTEGER NOT NULL,
  since        TEXT NOT NULL,
  locked_until TEXT NOT NULL DEFAULT ''
);

-- +goose Down
SELECT 'migrations are never rolled back; restore a backup instead';
