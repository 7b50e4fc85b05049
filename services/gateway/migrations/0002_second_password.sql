-- When identity last verified a user session's second password (SPEC F7): the gateway
-- signs it into the internal tokens of that session's file-share calls.
ALTER TABLE sessions ADD COLUMN second_password_at timestamptz;
