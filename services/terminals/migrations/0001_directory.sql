-- terminals' projection of identity's facilities and accounts (no foreign keys:
-- events from other streams may arrive in any order).
CREATE TABLE facilities (
    facility_id text PRIMARY KEY,
    code text NOT NULL,
    name text NOT NULL,
    time_zone text NOT NULL
);
CREATE TABLE accounts (
    account_id text PRIMARY KEY,
    facility_code text NOT NULL,
    account_key text NOT NULL,
    is_admin boolean NOT NULL
);
CREATE INDEX accounts_key ON accounts (account_key);
