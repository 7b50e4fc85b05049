-- Facility settings change (issue 15, T1): the name and time zone follow
-- FacilitySettingsChanged. Each keeps the facility aggregate's version it reflects, so an
-- older event delivered late (a redelivery after a failed batch) never overwrites a newer
-- one, and a change seen before its facility's registration is not undone by it.
ALTER TABLE facilities
    ADD COLUMN name_version integer NOT NULL DEFAULT 0,
    ADD COLUMN time_zone_version integer NOT NULL DEFAULT 0;
