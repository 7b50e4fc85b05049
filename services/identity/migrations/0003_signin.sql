-- Sign-in (SPEC L1–L5): admins' second passwords, password expiry, authenticators,
-- lockout and the short-lived sign-in transactions. Written by adapters/credentials.py.

-- Admins need a second password too (L3); NULL only for admins created before this.
ALTER TABLE admin_credentials ADD COLUMN second_password_hash text;

-- Password expiry is a facility setting, off (NULL) by default (L1).
ALTER TABLE facilities ADD COLUMN password_max_age_days integer
    CHECK (password_max_age_days > 0);

-- One authenticator per account, admin or user, keyed by the account's aggregate id.
-- The secret is AES-GCM sealed with FUMIDAI_IDENTITY_TOTP_KEY, the account id as AAD.
CREATE TABLE totp_credentials (
    account_id text PRIMARY KEY,
    secret_sealed bytea NOT NULL,
    -- Version of the account aggregate's MfaEnrolled event: a reset event with a higher
    -- version unbinds it even before anyone deletes this row.
    enrolled_version integer NOT NULL,
    -- Last accepted time step: a code of that step or an earlier one is a replay (L2).
    last_step bigint NOT NULL,
    enrolled_at timestamptz NOT NULL
);

-- Failures in a row per account as typed, known or not (L4): unknown accounts lock the
-- same way, so a lock says nothing about whether an account exists.
CREATE TABLE signin_failures (
    account_key text PRIMARY KEY CHECK (account_key = lower(account_key)),
    failures integer NOT NULL,
    locked_until timestamptz,
    last_failure_at timestamptz NOT NULL
);
CREATE INDEX signin_failures_last ON signin_failures (last_failure_at);

-- A sign-in in progress: one account, the next step it must pass, minutes to do it.
CREATE TABLE signin_transactions (
    -- SHA-256 of the handle the caller holds; the handle itself is kept nowhere.
    handle_hash bytea PRIMARY KEY,
    -- Public reference, the correlation id of the attempts' events.
    signin_ref text NOT NULL,
    account_id text NOT NULL,
    account_kind text NOT NULL CHECK (account_kind IN ('admin', 'user')),
    app text NOT NULL,
    next_step text NOT NULL
        CHECK (next_step IN ('new_password', 'totp_enrol', 'totp', 'second_password')),
    -- The account aggregate's version when it started: a later reset cancels it.
    base_version integer NOT NULL,
    password_reason text CHECK (password_reason IN ('initial', 'expired')),
    -- The secret offered for enrolment (sealed like totp_credentials.secret_sealed).
    pending_totp_sealed bytea,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX signin_transactions_account ON signin_transactions (account_id);
CREATE INDEX signin_transactions_expiry ON signin_transactions (expires_at);
