-- Each followed setting keeps the facility aggregate's version it reflects, and an admin's
-- enabled flag the admin's: a message redelivered late (after a failed batch, behind newer
-- ones) never overwrites a newer value, and a change seen before its facility's
-- registration (or a disable before its AdminCreated) is not undone by it. As terminals
-- and audit do (issue 15).
ALTER TABLE facility_policies
    ADD COLUMN internal_networks_version integer NOT NULL DEFAULT 0,
    ADD COLUMN download_period_version integer NOT NULL DEFAULT 0,
    ADD COLUMN time_zone_version integer NOT NULL DEFAULT 0,
    ADD COLUMN notification_addresses_version integer NOT NULL DEFAULT 0;

ALTER TABLE facility_admins
    ADD COLUMN enabled_version integer NOT NULL DEFAULT 0;
