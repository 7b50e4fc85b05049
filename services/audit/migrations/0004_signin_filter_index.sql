-- ログインログ is written in time order by every facility at once, so a facility's week is
-- one row in a hundred pages: a filter that matches few rows (an account) read every row
-- of the week from the heap, one page each. This index holds what the filters look at, so
-- a page's keys are found by an index-only scan; only the page's own rows are read from
-- the heap (queries.fetch_page: keys first, then the rows).
CREATE INDEX signin_log_filters ON signin_log (facility, occurred_at, event_id)
    INCLUDE (account, user_name, app, result, reason, ip);
