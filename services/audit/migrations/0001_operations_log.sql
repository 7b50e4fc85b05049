-- 操作ログ (SPEC A1 beyond): one row per admin or operator change, kept 2 years.
CREATE TABLE operations_log (
    event_id uuid PRIMARY KEY,
    facility text NOT NULL,
    occurred_at timestamptz NOT NULL,
    actor_id text NOT NULL,
    actor_role text NOT NULL,
    actor_ip text,
    action text NOT NULL,
    target_type text NOT NULL,
    target_id text NOT NULL,
    detail jsonb NOT NULL
);
CREATE INDEX operations_log_facility_time ON operations_log (facility, occurred_at DESC, event_id DESC);
