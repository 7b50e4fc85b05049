-- ログインログ is written in time order by every facility at once, so a facility's week is
-- one row in a hundred pages: a filter that matches few rows (an account) read every row
-- of the week from the heap, one page each. This index holds what the filters look at, so
-- a page's keys are found by an index-only scan; only the page's own rows are read from
-- the heap (queries.fetch_page: keys first, then the rows).
CREATE INDEX signin_log_filters ON signin_log (facility, occurred_at, event_id)
    INCLUDE (account, user_name, app, result, reason, ip);

-- An index-only scan skips the heap only for pages the visibility map marks all-visible,
-- and those are what vacuum marks. By default autovacuum visits an insert-only table after
-- 20% new rows: for a 30-day log that is the last six days, exactly the pages the default
-- 過去7日間 reads. Every 1% (or 10,000 rows) keeps the recent pages marked.
ALTER TABLE signin_log SET (
    autovacuum_vacuum_insert_scale_factor = 0.01,
    autovacuum_vacuum_insert_threshold = 10000
);
