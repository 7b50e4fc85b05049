-- terminals' projection of identity's users: what connection decisions (SPEC C1) and the
-- terminal list's user counts (K1) are made from. Events of other streams may arrive in
-- any order, so there are no foreign keys; rows are upserted and each keeps the version
-- of the user aggregate it reflects, so an older event never overwrites a newer one.
CREATE TABLE access_users (
    user_id text PRIMARY KEY,
    facility text NOT NULL,
    account text NOT NULL,
    account_key text NOT NULL,
    -- Version of the last UserCreated/UserUpdated applied; NULL while only a tombstone
    -- (a UserDeleted that arrived before the user) is known.
    profile_version integer,
    family_name text,
    given_name text,
    email text,
    valid_from date,
    valid_until date,
    macs text[] NOT NULL DEFAULT '{}',
    -- 接続利用可能時間 in minutes after midnight; both NULL for 常に許可.
    hours_start smallint,
    hours_end smallint,
    -- A tombstone: once deleted, a user stays deleted whatever arrives later.
    deleted boolean NOT NULL DEFAULT false
);
CREATE INDEX access_users_account ON access_users (account_key);
CREATE INDEX access_users_facility ON access_users (facility, account_key);

-- One row per (user, terminal) ever named in TerminalAssigned/TerminalUnassigned; the
-- latest by version wins. An assignment may be known before its user is.
CREATE TABLE access_assignments (
    user_id text NOT NULL,
    terminal_id text NOT NULL,
    facility text NOT NULL,
    assigned boolean NOT NULL,
    version integer NOT NULL,
    PRIMARY KEY (user_id, terminal_id)
);
CREATE INDEX access_assignments_terminal ON access_assignments (terminal_id) WHERE assigned;
