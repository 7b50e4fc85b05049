-- Admin and user sessions, shared by every gateway replica. Only a hash of the session
-- token is stored: reading this table does not let anyone sign in.
CREATE TABLE sessions (
    token_hash bytea PRIMARY KEY,
    account_id text NOT NULL,
    account text NOT NULL,
    role text NOT NULL CHECK (role IN ('admin', 'user')),
    facility text NOT NULL,
    facility_id text NOT NULL,
    app text NOT NULL,
    csrf_token text NOT NULL,
    source_ip text,
    user_agent text,
    created_at timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL,
    revoked_at timestamptz
);
CREATE INDEX sessions_account ON sessions (account_id) WHERE revoked_at IS NULL;
CREATE INDEX sessions_last_seen ON sessions (last_seen_at);

-- Fixed-window counters for sign-in rate limits (per account, per source address).
CREATE TABLE throttle (
    key text NOT NULL,
    window_start timestamptz NOT NULL,
    hits integer NOT NULL,
    PRIMARY KEY (key, window_start)
);
