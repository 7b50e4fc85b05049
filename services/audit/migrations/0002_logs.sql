-- The four logs of 「ログ参照」 (SPEC A1), the directory that names their rows at the time,
-- the full-export jobs (A5) and what retention (A2) needs.
--
-- Rows are written only by projections (libs/events/consumer.py) from event data, so a
-- rebuild gives the same rows; no column defaults to now(). Retention deletes old rows in
-- small batches by the time index (services/audit/retention.py): plain tables, not
-- partitions, so a rebuild's scratch copies and swap work unchanged and a late event older
-- than every partition can never fail to insert.

-- Directory: every name an account or terminal had, from when. Log rows copy the name
-- valid at their own time when they are written, and later renames never touch them.
CREATE TABLE facilities (
    code text PRIMARY KEY,
    facility_id text NOT NULL,
    time_zone text NOT NULL,
    download_period_months integer NOT NULL
);

CREATE TABLE account_names (
    account_id text NOT NULL,
    valid_from timestamptz NOT NULL,
    event_id uuid NOT NULL,
    facility text NOT NULL,
    account text NOT NULL,
    display_name text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('admin', 'user')),
    PRIMARY KEY (account_id, valid_from, event_id)
);
CREATE INDEX account_names_account ON account_names (lower(account), valid_from);

CREATE TABLE terminal_names (
    terminal_id text NOT NULL,
    valid_from timestamptz NOT NULL,
    event_id uuid NOT NULL,
    facility text NOT NULL,
    name text NOT NULL,
    PRIMARY KEY (terminal_id, valid_from, event_id)
);

-- 端末接続履歴 (2 years): one row per session, and one per refused connection attempt.
CREATE TABLE connection_log (
    row_id text PRIMARY KEY,            -- the session's id, or the refused decision's id
    facility text NOT NULL,
    started_at timestamptz NOT NULL,    -- 接続開始時間 (a refusal: when it was refused)
    ended_at timestamptz,               -- 接続終了時間
    account text NOT NULL,              -- アカウント
    terminal_id text NOT NULL,
    terminal_name text NOT NULL,        -- 接続端末, as named when the row was written
    mac text NOT NULL,
    state text NOT NULL                 -- アクティブ状態
        CHECK (state IN ('live', 'ended', 'force_closed', 'timed_out', 'refused')),
    reason text,                        -- refusal reason, or how an ended session ended
    decision_id text,
    closed_by text,                     -- 強制切断: which admin, and why
    close_reason text,
    close_acknowledged_at timestamptz   -- when the agent confirmed the cut (C4)
);
CREATE INDEX connection_log_page ON connection_log (facility, started_at, row_id);
CREATE INDEX connection_log_time ON connection_log (started_at);

-- ログインログ (30 days): one row per sign-in step attempted.
CREATE TABLE signin_log (
    facility text NOT NULL,
    occurred_at timestamptz NOT NULL,   -- ログイン時間
    event_id uuid NOT NULL,
    account text NOT NULL,              -- アカウント, as typed
    account_id text,
    user_name text NOT NULL,            -- ユーザー名 at the time ('' when not known then)
    app text NOT NULL,                  -- アプリ名
    step text NOT NULL,
    result text NOT NULL CHECK (result IN ('success', 'failure')),
    reason text NOT NULL,               -- 状態 is result and reason together
    ip text NOT NULL,                   -- 接続元IPアドレス ('' when unknown)
    correlation_id text NOT NULL,
    PRIMARY KEY (facility, occurred_at, event_id)
);
CREATE INDEX signin_log_time ON signin_log (occurred_at);

-- ファイル共有 (1 year): one row per upload (a share) and per download. The upload row
-- follows its share: scan result, approval and the download period (A7).
CREATE TABLE fileshare_log (
    row_id text PRIMARY KEY,            -- the share's id (upload), or the download's event id
    facility text NOT NULL,
    occurred_at timestamptz NOT NULL,   -- 処理時間
    share_id text NOT NULL,
    action text NOT NULL CHECK (action IN ('upload', 'download')),   -- 処理
    account text NOT NULL,              -- アカウント
    user_name text NOT NULL,            -- ユーザー名 at the time
    file_ids text[] NOT NULL,
    file_names text[] NOT NULL,         -- ファイル名: the first, and 「_他N件」
    total_bytes bigint NOT NULL,        -- 容量
    network text NOT NULL CHECK (network IN ('inside', 'outside', 'unknown')),   -- 院内外
    purpose text NOT NULL,              -- 共有理由
    scan text NOT NULL CHECK (scan IN ('pending', 'clean', 'infected', 'unscannable')),
    approval text NOT NULL CHECK (approval IN ('not_required', 'pending', 'approved', 'denied')),
    decided_at timestamptz,             -- 承認/否認時間
    decided_by text,
    download_until timestamptz,         -- end of the download period (A7, F7)
    files_deleted boolean NOT NULL DEFAULT false
);
CREATE INDEX fileshare_log_page ON fileshare_log (facility, occurred_at, row_id);
CREATE INDEX fileshare_log_time ON fileshare_log (occurred_at);
CREATE INDEX fileshare_log_share ON fileshare_log (share_id);

-- 操作ログ (2 years): the Japanese description and the target's name at the time.
ALTER TABLE operations_log ADD COLUMN description text NOT NULL DEFAULT '';
ALTER TABLE operations_log ADD COLUMN target text NOT NULL DEFAULT '';
UPDATE operations_log SET
    description = CASE action
        WHEN 'FacilityRegistered' THEN '施設「' || (detail ->> 'name') || '」を登録'
        WHEN 'AdminCreated' THEN '管理者「' || (detail ->> 'account') || '」を作成'
        ELSE action END,
    target = coalesce(detail ->> 'account', detail ->> 'name', '');
CREATE INDEX operations_log_time ON operations_log (occurred_at);

-- A CSV cell a spreadsheet would run as a formula gets a leading quote (SPEC A5, U6).
CREATE FUNCTION csv_safe(cell text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN left(cell, 1) IN ('=', '+', '-', '@', E'\t', E'\r')
                THEN '''' || cell ELSE cell END;

-- 容量 as the manual shows it: two decimals, B / KB / MB / GB (1024-based).
CREATE FUNCTION display_size(bytes bigint) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE
        WHEN bytes < 1024 THEN to_char(bytes, 'FM999990.00') || ' B'
        WHEN bytes < 1048576 THEN to_char(bytes / 1024.0, 'FM999990.00') || ' KB'
        WHEN bytes < 1073741824 THEN to_char(bytes / 1048576.0, 'FM999990.00') || ' MB'
        ELSE to_char(bytes / 1073741824.0, 'FM999990.00') || ' GB' END;

-- Full exports (A5 beyond): the job, and its file in chunks so that neither writing nor
-- downloading ever holds the whole file in memory, and any replica can serve it.
CREATE TABLE export_jobs (
    job_id uuid PRIMARY KEY,
    facility text NOT NULL,
    log text NOT NULL,
    query jsonb NOT NULL,               -- the period (resolved) and filters it was asked for
    requested_by text NOT NULL,
    created_at timestamptz NOT NULL,
    status text NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
    attempts integer NOT NULL DEFAULT 0,
    heartbeat_at timestamptz,
    completed_at timestamptz,
    expires_at timestamptz,
    size_bytes bigint,
    row_count bigint,
    error text
);
CREATE INDEX export_jobs_facility ON export_jobs (facility, created_at);
CREATE INDEX export_jobs_waiting ON export_jobs (created_at) WHERE status IN ('queued', 'running');
CREATE INDEX export_jobs_expiry ON export_jobs (expires_at);

CREATE TABLE export_chunks (
    job_id uuid NOT NULL REFERENCES export_jobs (job_id) ON DELETE CASCADE,
    seq integer NOT NULL,
    data bytea NOT NULL,
    PRIMARY KEY (job_id, seq)
);

-- Retention of the inbox: an id whose message has left its stream can never come again.
CREATE INDEX inbox_projection_applied ON inbox (projection, applied_at);

-- When each periodic task (the daily purge) last ran, so replicas and restarts agree.
CREATE TABLE maintenance_runs (
    task text PRIMARY KEY,
    last_run_at timestamptz NOT NULL,
    detail jsonb NOT NULL DEFAULT '{}'
);
