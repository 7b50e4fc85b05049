-- A user as the screens show it — a row of 「ユーザー一覧」 (U3), the content of 「ユーザー編集」
-- (U4) — kept on the row as the JSON object the API answers with, less 「失効」, which
-- depends on the day it is read (decision 0007).
--
-- A list read 51 rows of 19 columns, four of them arrays, and identity built and encoded a
-- structure for each: the largest part of the list's cost in PostgreSQL and in identity.
-- The object changes only when the row does, so it is rendered then, once: a generated
-- column of the row's own values (its live terminals included, 0004), which no write can
-- leave stale. identity's `UserOut` is the schema this rendering must keep; the tests
-- decode entries of every shape as `UserOut`.

CREATE FUNCTION user_entry(
    a_user_id text, a_account text, a_name text, a_family_name text, a_given_name text,
    a_email text, a_valid_from date, a_valid_until date, a_macs text[], a_hours_start text,
    a_hours_end text, a_file_share text, a_federation_targets text[], a_version integer,
    a_terminal_ids text[], a_terminal_names text[]
) RETURNS bytea
-- Immutable as a generated column needs: JSON renders dates in ISO 8601 whatever DateStyle
-- says, and nothing here reads a table or a setting. UTF-8 bytes, not text: identity passes
-- them on as they are, where text would be decoded and encoded again for every read.
-- PL/pgSQL, not SQL: it keeps its plan for the session, where a SQL function with a FROM
-- was planned again for every row written (190 µs against 65 µs a new user).
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
    RETURN (SELECT convert_to(row_to_json(entry)::text, 'UTF8') FROM (SELECT
        a_user_id AS user_id,
        a_account AS account,
        a_name AS name,
        a_family_name AS family_name,
        a_given_name AS given_name,
        -- 「ユーザー名」: 姓 名 (as the generated display_name of 0002).
        CASE WHEN a_given_name = '' THEN a_family_name
             ELSE a_family_name || ' ' || a_given_name END AS display_name,
        a_email AS email,
        a_valid_from AS valid_from,
        a_valid_until AS valid_until,
        a_macs AS macs,
        -- array_to_json: compact, where json_agg puts a line break between elements.
        (SELECT coalesce(array_to_json(array_agg(
                    (SELECT terminal FROM (SELECT t.id AS terminal_id, t.name) terminal)
                    ORDER BY t.position)), '[]')
         FROM unnest(a_terminal_ids, a_terminal_names) WITH ORDINALITY
              AS t (id, name, position)) AS terminals,
        CASE WHEN a_hours_start IS NULL THEN NULL
             ELSE (SELECT row_to_json(hours) FROM (SELECT a_hours_start AS start,
                                                          a_hours_end AS "end") hours)
        END AS hours,
        a_file_share AS file_share,
        -- services/identity/messages.py FILE_SHARE_LABELS (a test holds them equal).
        CASE a_file_share WHEN 'always' THEN '常に許可'
                          WHEN 'approval' THEN '承認後に許可'
                          ELSE '拒否' END AS file_share_label,
        a_federation_targets AS federation_targets,
        a_version AS version
    ) entry);
END
$$;

ALTER TABLE users ADD COLUMN entry bytea NOT NULL GENERATED ALWAYS AS (user_entry(
    user_id, account, name, family_name, given_name, email, valid_from, valid_until, macs,
    hours_start, hours_end, file_share, federation_targets, version, live_terminal_ids,
    live_terminal_names
)) STORED;
