-- identity's state tables, written in the same transaction as its events.

CREATE TABLE facilities (
    facility_id text PRIMARY KEY,
    code text NOT NULL UNIQUE,
    name text NOT NULL,
    domain text NOT NULL,
    time_zone text NOT NULL,
    download_period_months integer NOT NULL,
    internal_networks text[] NOT NULL DEFAULT '{}',
    version integer NOT NULL,
    registered_at timestamptz NOT NULL
);

-- Accounts are unique in the whole system ignoring case (SPEC U1), admins and users alike.
CREATE TABLE accounts (
    account_key text PRIMARY KEY CHECK (account_key = lower(account_key)),
    owner_id text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('admin', 'user'))
);

CREATE TABLE admins (
    admin_id text PRIMARY KEY,
    facility_id text NOT NULL REFERENCES facilities (facility_id),
    account text NOT NULL,
    name text NOT NULL,
    version integer NOT NULL,
    created_at timestamptz NOT NULL
);
CREATE INDEX admins_facility ON admins (facility_id);

-- Secrets never travel in events: they live here only, hashed.
CREATE TABLE admin_credentials (
    admin_id text PRIMARY KEY REFERENCES admins (admin_id),
    password_hash text NOT NULL,
    must_change_password boolean NOT NULL,
    password_changed_at timestamptz
);
