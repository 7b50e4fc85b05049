-- Each user's live 接続端末 (id and name, in name order) kept on the user's row, so the
-- screens read users from one table (decision 0007).
--
-- Before this, every read joined user_terminals and the terminals projection per row:
-- half of the list's execution time, and a plan complex enough that planning each search
-- cost as much again. The columns are a cache of that join. user_terminals has one
-- writer, the statement that applies a user's events (adapters/user_state.py), which
-- writes the cache with it; the terminals projection has several (its consumer, a
-- rebuild's delete-and-insert swap), so the triggers below keep the cache when it
-- changes. user_terminals stays the truth commands read.

ALTER TABLE users
    ADD COLUMN live_terminal_ids text[] NOT NULL DEFAULT '{}',
    ADD COLUMN live_terminal_names text[] NOT NULL DEFAULT '{}';

-- The live terminals among these ids, in name order (deleted or not yet projected ones
-- left out): the one definition of what the cache holds.
CREATE FUNCTION live_terminals(terminal_ids text[], OUT ids text[], OUT names text[])
LANGUAGE sql STABLE AS $$
    SELECT coalesce(array_agg(t.terminal_id ORDER BY t.name_key, t.terminal_id), '{}'),
           coalesce(array_agg(t.name ORDER BY t.name_key, t.terminal_id), '{}')
    FROM terminals t
    WHERE t.terminal_id = ANY (terminal_ids) AND NOT t.deleted
$$;

-- Recompute the cache of these users; a row whose cache is already right is left alone (no
-- new row version).
CREATE FUNCTION refresh_live_terminals(user_ids text[]) RETURNS void
LANGUAGE sql AS $$
    UPDATE users u
    SET live_terminal_ids = live.ids, live_terminal_names = live.names
    FROM unnest(user_ids) AS wanted (user_id),
         LATERAL live_terminals(ARRAY(
             SELECT ut.terminal_id FROM user_terminals ut WHERE ut.user_id = wanted.user_id
         )) AS live
    WHERE u.user_id = wanted.user_id
      AND (u.live_terminal_ids, u.live_terminal_names) IS DISTINCT FROM (live.ids, live.names)
$$;

-- A terminal projected, renamed or deleted (a tombstone: deleted = true) changes the cache
-- of every user assigned to it. Only the users of terminals that changed are refreshed;
-- statement-level with transition tables, so a rebuild's swap is one refresh, not one per
-- row.
CREATE FUNCTION terminals_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM refresh_live_terminals(ARRAY(
            SELECT DISTINCT ut.user_id FROM user_terminals ut
            JOIN after_change a ON a.terminal_id = ut.terminal_id));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM refresh_live_terminals(ARRAY(
            SELECT DISTINCT ut.user_id FROM user_terminals ut
            JOIN before_change b ON b.terminal_id = ut.terminal_id));
    ELSE
        PERFORM refresh_live_terminals(ARRAY(
            SELECT DISTINCT ut.user_id FROM user_terminals ut
            JOIN after_change a ON a.terminal_id = ut.terminal_id
            JOIN before_change b ON b.terminal_id = a.terminal_id
            WHERE (a.name, a.name_key, a.deleted) IS DISTINCT FROM (b.name, b.name_key, b.deleted)));
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER terminals_added AFTER INSERT ON terminals
    REFERENCING NEW TABLE AS after_change
    FOR EACH STATEMENT EXECUTE FUNCTION terminals_changed();
CREATE TRIGGER terminals_updated AFTER UPDATE ON terminals
    REFERENCING OLD TABLE AS before_change NEW TABLE AS after_change
    FOR EACH STATEMENT EXECUTE FUNCTION terminals_changed();
CREATE TRIGGER terminals_removed AFTER DELETE ON terminals
    REFERENCING OLD TABLE AS before_change
    FOR EACH STATEMENT EXECUTE FUNCTION terminals_changed();

SELECT refresh_live_terminals(ARRAY(SELECT DISTINCT user_id FROM user_terminals));
