-- fileshare's state: shares and their files (from its own events, same transaction), the
-- users it serves (projected from identity), and the mails it has sent.

CREATE TABLE shares (
    share_id text PRIMARY KEY,
    facility text NOT NULL,
    version integer NOT NULL,
    owner_account text NOT NULL,
    owner_name text NOT NULL,
    uploaded_by text NOT NULL,
    uploaded_by_role text NOT NULL,
    direction text NOT NULL,
    purpose text NOT NULL,
    needs_approval boolean NOT NULL,
    state text NOT NULL,
    scan text NOT NULL DEFAULT 'pending',
    total_size bigint NOT NULL,
    uploaded_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    decided_by text,
    decided_at timestamptz,
    files_deleted_at timestamptz
);
CREATE INDEX shares_by_facility ON shares (facility, uploaded_at DESC);
CREATE INDEX shares_by_owner ON shares (lower(owner_account), uploaded_at DESC);
CREATE INDEX shares_scanning ON shares (uploaded_at) WHERE state = 'scanning';
CREATE INDEX shares_live ON shares (expires_at) WHERE files_deleted_at IS NULL;

CREATE TABLE share_files (
    share_id text NOT NULL REFERENCES shares (share_id),
    file_id text NOT NULL,
    position integer NOT NULL,
    name text NOT NULL,
    size bigint NOT NULL,
    sha256 text NOT NULL,
    scan text NOT NULL DEFAULT 'pending',
    signature text,
    PRIMARY KEY (share_id, file_id)
);

-- identity's users as fileshare needs them: permission (F4), name for the log, email (F6).
CREATE TABLE share_users (
    user_id text PRIMARY KEY,
    facility text NOT NULL,
    account text NOT NULL,
    name text NOT NULL,
    email text NOT NULL,
    file_share text NOT NULL,
    deleted boolean NOT NULL DEFAULT false
);
CREATE INDEX share_users_account ON share_users (lower(account)) WHERE NOT deleted;

-- Mails handed to the SMTP server, by Message-ID: a redelivered event sends nothing again.
CREATE TABLE sent_mail (
    message_id text PRIMARY KEY,
    event_id uuid NOT NULL,
    recipients text[] NOT NULL,
    sent_at timestamptz NOT NULL DEFAULT now()
);

-- Mails and the UI show times in the facility's zone (SPEC T1).
ALTER TABLE facility_policies ADD COLUMN time_zone text NOT NULL DEFAULT 'Asia/Tokyo';
