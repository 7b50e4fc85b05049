-- A full export runs under the correlation id of the request that queued it (issue 17,
-- decision 0045): its worker's log lines name the admin's request. Jobs queued before
-- this column existed keep NULL and run under a fresh id.
ALTER TABLE export_jobs ADD COLUMN correlation_id text;
