-- The time indexes serve only the retention purge (A2). As B-trees they also tempted the
-- planner for a facility's page (a backward scan over every facility's rows of the period,
-- filtering out the others'), which at one facility in ten costs ten times the rows of the
-- facility's own (facility, time, id) index. Logs are appended in time order, so a BRIN
-- index finds the old rows for the purge as well, is tiny, costs inserts almost nothing,
-- and leaves the pages to the facility index.
DROP INDEX connection_log_time;
CREATE INDEX connection_log_time ON connection_log USING brin (started_at)
    WITH (autosummarize = on);
DROP INDEX signin_log_time;
CREATE INDEX signin_log_time ON signin_log USING brin (occurred_at) WITH (autosummarize = on);
DROP INDEX fileshare_log_time;
CREATE INDEX fileshare_log_time ON fileshare_log USING brin (occurred_at)
    WITH (autosummarize = on);
DROP INDEX operations_log_time;
CREATE INDEX operations_log_time ON operations_log USING brin (occurred_at)
    WITH (autosummarize = on);
