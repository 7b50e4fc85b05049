"""Reading a log from PostgreSQL: keyset pages, the CSV by COPY, and the facility's zone.

Every statement is built by ``_where``, which always starts with the caller's facility:
no query can leave it (SPEC T3).
"""

import io
from collections.abc import Callable, Coroutine
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import msgspec

from libs.events.consistency import wait_for_event
from libs.postgres.connection import Connection
from services.audit.domain.filters import BadFilterValue
from services.audit.domain.logs import LogSpec
from services.audit.domain.periods import InvalidQuery, time_zone
from services.audit.domain.queries import Page, Position, Query, decode_cursor, encode_cursor
from services.audit.domain.sql_text import Params

BOM = "\ufeff".encode()


async def facility_time_zone(conn: Connection | asyncpg.Pool, facility: str) -> ZoneInfo:
    """The facility's zone from FacilityRegistered; Asia/Tokyo (T1's default) until known."""
    return time_zone(
        await conn.fetchval("SELECT time_zone FROM facilities WHERE code = $1", facility)
    )


def _where(query: Query, params: Params, after: Position | None = None) -> str:
    spec = query.spec
    conditions = [
        f"facility = {params.add(query.facility)}",
        f"{spec.time} >= {params.add(query.period.start)}",
    ]
    if query.period.end is not None:
        conditions.append(f"{spec.time} < {params.add(query.period.end)}")
    if after is not None:
        conditions.append(
            f"({spec.time}, {spec.id}) < ({params.add(after.time)},"
            f" {params.add(after.id)}::{spec.id_type})"
        )
    for item in query.filters:
        column = spec.column(item.column)
        assert column is not None  # parse_filters checked it
        try:
            conditions.append(column.match.condition(params, item.value, query.tz))
        except BadFilterValue:
            raise InvalidQuery("filter_value_invalid", f"filter.{item.column}") from None
    return " AND ".join(conditions)


def _cells(query: Query, params: Params, *, csv: bool) -> list[str]:
    tz = params.add(query.tz.key)
    cells = []
    for column in query.spec.columns:
        expression = column.display.replace("{tz}", tz)
        if csv:
            # Quoted identifiers: COPY's header row is the Japanese headings.
            label = column.label.replace('"', '""')
            cells.append(f'csv_safe({expression}) AS "{label}"')
        else:
            cells.append(f"{expression} AS cell_{column.key}")
    return cells


def _order(spec: LogSpec) -> str:
    return f"ORDER BY {spec.time} DESC, {spec.id} DESC"


async def fetch_page(
    conn: Connection | asyncpg.Pool,
    query: Query,
    limit: int,
    cursor: str | None = None,
    *,
    count_up_to: int | None = None,
) -> Page:
    """One page, newest first, after ``cursor``; ``next_cursor`` when more rows follow.

    With ``count_up_to``, also whether more rows than that match, from the same scan: the
    matching keys are read once, up to one past the count, and the page is their head.
    """
    spec = query.spec
    params = Params()
    after = decode_cursor(cursor) if cursor else None
    where = _where(query, params, after)
    cells = _cells(query, params, csv=False)
    select = (
        f"SELECT {spec.fields}, {spec.time} AS position_time, {spec.id}::text AS position_id,"
        f" {', '.join(cells)}"
    )
    # Keys first, then the rows: the keys' scan can be index-only when an index holds the
    # filtered columns (0004), and only the page's own rows are read from the heap, even
    # when up to ``count_up_to`` keys are counted for the CSV's 「more rows」 flag.
    window = limit + 1 if count_up_to is None else max(count_up_to, limit) + 1
    page_keys = (
        f"SELECT {spec.time} AS page_time, {spec.id} AS page_id FROM {spec.table}"
        f" WHERE {where} {_order(spec)} LIMIT {params.add(window)}"
    )
    counted = ", (SELECT count(*) FROM matched) AS matched" if count_up_to is not None else ""
    sql = (
        f"WITH matched AS MATERIALIZED ({page_keys}),"
        f" page AS (SELECT * FROM matched ORDER BY page_time DESC, page_id DESC"
        f" LIMIT {params.add(limit + 1)})"
        f" {select}{counted} FROM page JOIN {spec.table}"
        f" ON {spec.time} = page.page_time AND {spec.id} = page.page_id"
        f" AND facility = {params.add(query.facility)} {_order(spec)}"
    )
    records = await conn.fetch(sql, *params.values)
    beyond = None
    if count_up_to is not None:
        beyond = bool(records) and records[0]["matched"] > count_up_to
    more = len(records) > limit
    records = records[:limit]
    keys = [f"cell_{c.key}" for c in spec.columns]
    shown = [[record[key] or "" for key in keys] for record in records]
    next_cursor = None
    if more and records:
        last = records[-1]
        next_cursor = encode_cursor(Position(last["position_time"], last["position_id"]))
    return Page(records, shown, next_cursor, beyond)


async def count_beyond(conn: Connection | asyncpg.Pool, query: Query, limit: int) -> bool:
    """True when more than ``limit`` rows match (the CSV would be cut, A5)."""
    params = Params()
    where = _where(query, params)
    sql = (
        f"SELECT EXISTS (SELECT 1 FROM {query.spec.table} WHERE {where}"
        f" {_order(query.spec)} OFFSET {params.add(limit)} LIMIT 1)"
    )
    return bool(await conn.fetchval(sql, *params.values))


Sink = Callable[[bytes], Coroutine[object, object, None]]


async def copy_csv(conn: Connection, query: Query, sink: Sink, limit: int | None = None) -> int:
    """Stream the query's rows as CSV (headings first, BOM first of all) into ``sink``.

    COPY renders the rows in the server and hands them over in pieces as they come, so
    memory stays flat however many rows there are. Returns the number of rows.
    """
    params = Params()
    where = _where(query, params)
    cells = _cells(query, params, csv=True)
    sql = f"SELECT {', '.join(cells)} FROM {query.spec.table} WHERE {where} {_order(query.spec)}"
    if limit is not None:
        sql += f" LIMIT {params.add(limit)}"
    await sink(BOM)
    status = await conn.copy_from_query(sql, *params.values, output=sink, format="csv", header=True)
    return int(status.split()[-1]) if status else 0


async def csv_bytes(conn: Connection, query: Query, limit: int) -> tuple[bytes, int]:
    """The CSV of at most ``limit`` rows, newest first, and how many rows it holds."""
    buffer = io.BytesIO()

    async def sink(data: bytes) -> None:
        buffer.write(data)

    rows = await copy_csv(conn, query, sink, limit)
    return buffer.getvalue(), rows


class PostgresLogReads:
    """audit's logs as its PostgreSQL holds them (the ``LogReads`` port of ``app``)."""

    def __init__(self, pool: Callable[[], asyncpg.Pool]) -> None:
        # The pool opens when the app starts: hand over how to get it, not the pool itself.
        self._pool = pool

    async def time_zone(self, facility: str) -> ZoneInfo:
        return await facility_time_zone(self._pool(), facility)

    async def page(
        self, query: Query, limit: int, cursor: str | None, count_up_to: int | None
    ) -> Page:
        return await fetch_page(self._pool(), query, limit, cursor, count_up_to=count_up_to)

    async def csv(self, query: Query, limit: int) -> tuple[bytes, int, bool]:
        """The CSV of at most ``limit`` rows, how many it holds, and whether more matched."""
        async with self._pool().acquire() as conn:
            body, rows = await csv_bytes(conn, query, limit)
            beyond = await count_beyond(conn, query, limit)
        return body, rows, beyond

    async def wait_for(self, event_id: str, projection: str, timeout_s: float) -> None:
        await wait_for_event(self._pool(), event_id, timeout_s, projection)

    async def recent_operations(self, facility: str, limit: int) -> list[dict[str, Any]]:
        """操作ログ's newest rows of the facility, with each event's detail decoded."""
        rows = await self._pool().fetch(
            """SELECT event_id::text, occurred_at, actor_id, actor_role, actor_ip, action,
                      target_type, target_id, detail::text, description, target
               FROM operations_log WHERE facility = $1
               ORDER BY occurred_at DESC, event_id DESC LIMIT $2""",
            facility,
            limit,
        )
        return [{**dict(row), "detail": msgspec.json.decode(row["detail"])} for row in rows]
