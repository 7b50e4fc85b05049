-- Facility settings change (issue 15, T1): the time zone (log periods, CSV times) and the
-- download period follow FacilitySettingsChanged. Each keeps the facility aggregate's
-- version it reflects, so a late older event never overwrites a newer one, and a change
-- seen before its facility's registration is not undone by it.
ALTER TABLE facilities
    ADD COLUMN time_zone_version integer NOT NULL DEFAULT 0,
    ADD COLUMN download_period_version integer NOT NULL DEFAULT 0;
