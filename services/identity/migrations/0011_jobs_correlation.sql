-- A CSV job runs under the correlation id of the request that queued it (issue 17,
-- decision 0045): its worker's log lines and the events it appends name the admin's
-- request. Jobs queued before this column existed keep NULL and run under a fresh id.
ALTER TABLE jobs ADD COLUMN correlation_id text;
