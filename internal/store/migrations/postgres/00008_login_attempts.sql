-- +goose Up
-- Login throttling kept in the database, so it holds across every server
-- of a deployment: attempts per username and per address in a window.
CREATE TABLE login_attempts (
  key   TEXT PRIMARY KEY,
  count INTEGER NOT NULL,
  since TEXT NOT NULL
);
CREATE INDEX login_attempts_since ON login_attempts (since);

-- +goose Down
SELECT 'migrations are never rolled back; restore a backup instead';
