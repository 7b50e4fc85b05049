-- 「パスワードを忘れた場合」 (issue 15, decision 0020): requests queued as typed, resolved
-- by identity's worker, and the one-time links it mailed. Written by adapters/recovery.py.

-- Every request, whatever it names: the request path only inserts here, so an account
-- that exists and one that does not cost the same and leave the same trace.
CREATE TABLE recovery_requests (
    request_id text PRIMARY KEY,
    account text NOT NULL,            -- as typed (trimmed), known or not
    app text NOT NULL,
    ip text,
    requested_at timestamptz NOT NULL,
    attempts integer NOT NULL DEFAULT 0,
    -- When the worker may take it (again): a failed mail waits, then is retried.
    due_at timestamptz NOT NULL,
    resolved_at timestamptz,
    outcome text                      -- the reason logged: link_sent, unknown_account, …
);
CREATE INDEX recovery_requests_due ON recovery_requests (due_at) WHERE resolved_at IS NULL;
CREATE INDEX recovery_requests_resolved ON recovery_requests (resolved_at)
    WHERE resolved_at IS NOT NULL;

-- A link mailed: only the SHA-256 of its token is kept. Used, replaced or expired links
-- stay a day so that a late click is told which (then they are purged).
CREATE TABLE recovery_links (
    token_hash bytea PRIMARY KEY,
    request_id text NOT NULL,
    account_id text NOT NULL,
    account_kind text NOT NULL CHECK (account_kind IN ('admin', 'user')),
    app text NOT NULL,
    -- The account aggregate's version when mailed: a later reset (password, MFA) voids it.
    base_version integer NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at timestamptz,
    replaced_at timestamptz
);
CREATE INDEX recovery_links_account ON recovery_links (account_id);
CREATE INDEX recovery_links_expiry ON recovery_links (expires_at);
