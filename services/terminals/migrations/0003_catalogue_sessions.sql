-- terminals' own state, written in the same transaction as its events (after them).

-- The terminal catalogue (SPEC K1–K4). Deleted terminals stay as rows so their names
-- can be shown in history; a deleted terminal's name may be used again.
CREATE TABLE terminals (
    terminal_id text PRIMARY KEY,
    facility text NOT NULL,
    name text NOT NULL,
    name_key text NOT NULL,
    version integer NOT NULL,
    created_at timestamptz NOT NULL,
    deleted_at timestamptz,
    -- The last sequence number given to an order of this terminal's control channel.
    order_seq bigint NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX terminals_name_unique ON terminals (facility, name_key)
    WHERE deleted_at IS NULL;

-- Agent credentials: only a hash of the secret is kept; the token was shown once.
CREATE TABLE agent_credentials (
    credential_id text PRIMARY KEY,
    terminal_id text NOT NULL,
    facility text NOT NULL,
    secret_hash bytea NOT NULL,
    issued_at timestamptz NOT NULL,
    issued_by text NOT NULL,
    revoked_at timestamptz,
    version integer NOT NULL
);
CREATE INDEX agent_credentials_terminal ON agent_credentials (terminal_id);

-- Allowed decisions not yet too old to start their session (the sweeper drops old ones).
CREATE TABLE decision_grants (
    decision_id text PRIMARY KEY,
    facility text NOT NULL,
    terminal_id text NOT NULL,
    account text NOT NULL,
    mac text NOT NULL,
    decided_at timestamptz NOT NULL
);
CREATE INDEX decision_grants_age ON decision_grants (decided_at);

-- Sessions (SPEC C3): 接続中 until one ending.
CREATE TABLE sessions (
    session_id text PRIMARY KEY,
    facility text NOT NULL,
    terminal_id text NOT NULL,
    terminal_name text NOT NULL,
    account text NOT NULL,
    account_key text NOT NULL,
    mac text NOT NULL,
    decision_id text NOT NULL UNIQUE,
    state text NOT NULL CHECK (state IN ('live', 'ended', 'force_closed', 'timed_out')),
    started_at timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL,
    ended_at timestamptz,
    end_reason text,
    closed_by text,
    close_reason text,
    close_acknowledged_at timestamptz,
    version integer NOT NULL
);
CREATE INDEX sessions_live_facility ON sessions (facility, started_at) WHERE state = 'live';
CREATE INDEX sessions_live_terminal ON sessions (terminal_id) WHERE state = 'live';
CREATE INDEX sessions_live_account ON sessions (account_key) WHERE state = 'live';
CREATE INDEX sessions_live_seen ON sessions (last_seen_at) WHERE state = 'live';

-- Each terminal's control channel: orders to its agent, numbered per terminal, kept
-- until acknowledged (and after, for the record). Delivered by long poll after a cursor.
CREATE TABLE agent_orders (
    terminal_id text NOT NULL,
    seq bigint NOT NULL,
    session_id text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('close')),
    -- Why the session is closed: an admin's 強制切断 or the deletion of its user (U5).
    cause text NOT NULL CHECK (cause IN ('force_closed', 'user_deleted')),
    -- The admin's words, for force closes.
    reason text,
    account text NOT NULL,
    ordered_at timestamptz NOT NULL,
    acknowledged_at timestamptz,
    PRIMARY KEY (terminal_id, seq)
);
CREATE INDEX agent_orders_pending ON agent_orders (terminal_id, seq)
    WHERE acknowledged_at IS NULL;
