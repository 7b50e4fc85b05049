-- Users and their access profile (SPEC U1–U7), identity's projection of terminals, and
-- the CSV jobs of 出力一覧 (U6). State tables of identity's own events are written in the
-- same transaction as the events (after the append, decision 0001).

-- Partial, case-insensitive search on account, user name and email (U3) over 100,000
-- users per facility: trigram GIN indexes answer `ILIKE '%term%'`. pg_trgm is a trusted
-- extension (PostgreSQL 13+), so the database owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE users (
    user_id text PRIMARY KEY,
    facility_id text NOT NULL REFERENCES facilities (facility_id),
    account text NOT NULL,
    -- Sort and keyset keys in the "C" collation: byte order, the same on every server,
    -- so a cursor taken on one replica pages the same on another.
    account_key text COLLATE "C" GENERATED ALWAYS AS (lower(account)) STORED,
    name text NOT NULL,
    family_name text NOT NULL,
    given_name text NOT NULL,
    display_name text GENERATED ALWAYS AS (
        CASE WHEN given_name = '' THEN family_name ELSE family_name || ' ' || given_name END
    ) STORED,
    name_key text COLLATE "C" GENERATED ALWAYS AS (
        lower(CASE WHEN given_name = '' THEN family_name
                   ELSE family_name || ' ' || given_name END)
    ) STORED,
    email text NOT NULL,
    valid_from date NOT NULL,
    valid_until date NOT NULL CHECK (valid_until >= valid_from),
    macs text[] NOT NULL,
    -- Both NULL: 常に許可.
    hours_start text,
    hours_end text,
    file_share text NOT NULL CHECK (file_share IN ('always', 'approval', 'deny')),
    federation_targets text[] NOT NULL,
    version integer NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    CHECK ((hours_start IS NULL) = (hours_end IS NULL))
);
-- Sort by アカウント or ユーザー名 with keyset paging: (facility, key, tie-breaker).
CREATE UNIQUE INDEX users_by_account ON users (facility_id, account_key);
CREATE INDEX users_by_name ON users (facility_id, name_key, account_key);
-- GIN queues new entries in a pending list that every search reads through; after a bulk
-- import it holds up to 4 MB until autovacuum (which may not come for a while) merges it.
-- A 256 kB cap keeps searches fast, the merging cost is only spread thinner.
CREATE INDEX users_account_trgm ON users USING gin (account gin_trgm_ops)
    WITH (gin_pending_list_limit = 256);
CREATE INDEX users_name_trgm ON users USING gin (display_name gin_trgm_ops)
    WITH (gin_pending_list_limit = 256);
CREATE INDEX users_email_trgm ON users USING gin (email gin_trgm_ops)
    WITH (gin_pending_list_limit = 256);

-- 接続端末 of each user (K3: the terminal form changes the same rows through identity).
-- No foreign key to `terminals`: that is a projection of another service's stream.
CREATE TABLE user_terminals (
    user_id text NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    terminal_id text NOT NULL,
    PRIMARY KEY (user_id, terminal_id)
);
CREATE INDEX user_terminals_by_terminal ON user_terminals (terminal_id);

-- Secrets never travel in events: they live here only, hashed (decision 0004).
-- password_changed_at stays NULL while the password is one the user did not choose.
CREATE TABLE user_credentials (
    user_id text PRIMARY KEY REFERENCES users (user_id) ON DELETE CASCADE,
    password_hash text NOT NULL,
    second_password_hash text NOT NULL,
    must_change_password boolean NOT NULL,
    password_changed_at timestamptz
);

-- The facility's catalogue of 認証連携先 (T1). Facility settings fill it; until then it is
-- empty and no target is valid on a user (U1).
CREATE TABLE facility_federation_targets (
    facility_id text NOT NULL REFERENCES facilities (facility_id),
    target text NOT NULL,
    PRIMARY KEY (facility_id, target)
);

-- identity's projection of the terminals service's catalogue (consumers.py). A deleted
-- terminal stays as a tombstone: the sweeper unassigns it from every user that still has
-- it, and a late assignment to it is caught the same way.
CREATE TABLE terminals (
    terminal_id text PRIMARY KEY,
    facility_code text NOT NULL,
    name text NOT NULL,
    name_key text COLLATE "C" NOT NULL,
    deleted boolean NOT NULL,
    version integer NOT NULL
);
CREATE INDEX terminals_by_name ON terminals (facility_code, name_key);
CREATE INDEX terminals_deleted ON terminals (terminal_id) WHERE deleted;

-- 出力一覧 (U6): CSV exports and import results. Files live here (bytea), so every
-- replica serves every download and a file goes with its row; an import's result holds
-- initial passwords and is sealed (AES-GCM) before it is stored.
CREATE TABLE jobs (
    job_id text PRIMARY KEY,
    facility_id text NOT NULL REFERENCES facilities (facility_id),
    kind text NOT NULL CHECK (kind IN ('user_export', 'user_import')),
    status text NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
    actor_id text NOT NULL,
    actor_role text NOT NULL,
    actor_ip text,
    created_at timestamptz NOT NULL,
    started_at timestamptz,
    -- A running job's worker touches this every second; a stale one is taken over, and
    -- `claim` (new at each take-over) keeps the old worker from writing any more.
    heartbeat_at timestamptz,
    claim text,
    finished_at timestamptz,
    expires_at timestamptz,
    attempts integer NOT NULL DEFAULT 0,
    total_rows integer,
    done_rows integer NOT NULL DEFAULT 0,
    created_rows integer NOT NULL DEFAULT 0,
    updated_rows integer NOT NULL DEFAULT 0,
    unchanged_rows integer NOT NULL DEFAULT 0,
    failed_rows integer NOT NULL DEFAULT 0,
    error_code text,
    input bytea,
    result bytea,
    result_size bigint,
    result_sealed boolean NOT NULL DEFAULT false
);
CREATE INDEX jobs_by_facility ON jobs (facility_id, created_at DESC);
CREATE INDEX jobs_pending ON jobs (created_at) WHERE status IN ('queued', 'running');
CREATE INDEX jobs_expiry ON jobs (expires_at);

-- The result of each import row that wrote something, sealed, written in the row's own
-- transaction: a job resumed after a restart skips those rows and still reports them,
-- initial passwords included.
CREATE TABLE job_rows (
    job_id text NOT NULL REFERENCES jobs (job_id) ON DELETE CASCADE,
    row_no integer NOT NULL,
    sealed bytea NOT NULL,
    PRIMARY KEY (job_id, row_no)
);
