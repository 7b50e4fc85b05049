-- Facility settings that change (issue 15, T1): the facility's own notification
-- addresses, kept with the rest of its settings; FacilitySettingsChanged updates the row.
ALTER TABLE facilities ADD COLUMN notification_addresses text[] NOT NULL DEFAULT '{}';
