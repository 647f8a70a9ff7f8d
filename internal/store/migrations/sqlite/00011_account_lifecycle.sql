-- +goose Up
-- Account lifecycle: an administrator's password reset makes the user
-- choose a new password at the next login.
ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;

-- Usernames are looked up without case: store them folded (ASCII), unless
-- two accounts differ only in case (an administrator renames one).
UPDATE users SET username = lower(username)
 WHERE username <> lower(username)
   AND NOT EXISTS (SELECT 1 FROM users o WHERE o.id <> users.id AND lower(o.username) = lower(users.username));

-- Login throttling by growing delays: the last counted attempt and the
-- wait it imposes, in Unix milliseconds. Old counts are dropped.
DELETE FROM login_attempts;
ALTER TABLE login_attempts ADD COLUMN last_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE login_attempts ADD COLUMN delay_ms INTEGER NOT NULL DEFAULT 0;
CREATE INDEX login_attempts_last ON login_attempts (last_ms);

-- +goose Down
SELECT 'migrations are never rolled back; restore a backup instead';
