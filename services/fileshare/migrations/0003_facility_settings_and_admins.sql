-- Issue 15: facility settings change (FacilitySettingsChanged), and admin mail goes to the
-- facility's notification addresses plus its enabled admins' own addresses (SPEC F6, T1).

ALTER TABLE facility_policies
    ADD COLUMN notification_addresses text[] NOT NULL DEFAULT '{}';

-- identity's admins as fileshare needs them: who gets the facility's mail.
CREATE TABLE facility_admins (
    admin_id text PRIMARY KEY,
    facility text NOT NULL,
    account text NOT NULL,
    email text NOT NULL,
    enabled boolean NOT NULL DEFAULT true
);
CREATE INDEX facility_admins_enabled ON facility_admins (facility) WHERE enabled;
