"""Reading a log: period, filters, newest first, keyset pages, and the CSV (SPEC A3–A5).

Every statement is built by ``_where``, which always starts with the caller's facility:
no query can leave it (SPEC T3).
"""

import base64
import binascii
import io
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import asyncpg
import msgspec

from libs.postgres.connection import Connection
from libs.runtime.problems import DomainError, FieldProblem
from services.audit.filters import LOG_YEARS, BadFilterValue
from services.audit.logs import LogSpec
from services.audit.messages import message
from services.audit.sql import Params

DEFAULT_TIME_ZONE = "Asia/Tokyo"
BOM = "\ufeff".encode()


class InvalidQuery(DomainError):
    """The period, a filter or the cursor cannot be understood: 400 naming the field."""

    def __init__(self, code: str, field: str) -> None:
        super().__init__(
            code, message(code), errors=(FieldProblem(field, code, message(code)),), status=400
        )


@dataclass(frozen=True)
class Period:
    """An instant range [start, end); ``end`` None is open (a preset, up to now and on)."""

    preset: str
    start: datetime
    end: datetime | None


def parse_day(text: str, field: str) -> date:
    """``yyyy/mm/dd`` (as the screen shows it) or ``yyyy-mm-dd``, in LOG_YEARS."""
    try:
        day = date.fromisoformat(text.strip().replace("/", "-"))
    except ValueError:
        pieces = text.strip().replace("-", "/").split("/")
        try:
            year, month, number = (int(p) for p in pieces)
            day = date(year, month, number)
        except ValueError:
            raise InvalidQuery("period_date_invalid", field) from None
    if day.year not in LOG_YEARS:
        # Year 9999's next midnight overflowed, year 1's UTC did: a 500 for a typo (issue 16).
        raise InvalidQuery("period_date_out_of_range", field)
    return day


def resolve_period(
    preset: str, day_from: str | None, day_to: str | None, tz: ZoneInfo, now: datetime
) -> Period:
    """過去7日間 (default), 過去24時間, or カスタム期間: FROM 00:00 to the end of TO, in ``tz``."""
    if preset == "7d":
        return Period(preset, now - timedelta(days=7), None)
    if preset == "24h":
        return Period(preset, now - timedelta(hours=24), None)
    if preset != "custom":
        raise InvalidQuery("period_invalid", "period")
    if not day_from or not day_to:
        raise InvalidQuery("period_dates_required", "from" if not day_from else "to")
    first, last = parse_day(day_from, "from"), parse_day(day_to, "to")
    if first > last:
        raise InvalidQuery("period_order", "from")
    # Midnights of the facility's calendar: TO's whole day is in, the next day's 00:00 is not.
    start = datetime.combine(first, time(0), tzinfo=tz)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=tz)
    return Period(preset, start, end)


def time_zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or DEFAULT_TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIME_ZONE)


async def facility_time_zone(conn: Connection | asyncpg.Pool, facility: str) -> ZoneInfo:
    """The facility's zone from FacilityRegistered; Asia/Tokyo (T1's default) until known."""
    return time_zone(
        await conn.fetchval("SELECT time_zone FROM facilities WHERE code = $1", facility)
    )


@dataclass(frozen=True)
class Filter:
    column: str
    value: str


def parse_filters(spec: LogSpec, raw: Sequence[str]) -> list[Filter]:
    """``column:value`` pairs; the column must be one of the log's (A4)."""
    parsed = []
    for item in raw:
        column, sep, value = item.partition(":")
        if not sep:
            raise InvalidQuery("filter_invalid", "filter")
        if spec.column(column.strip()) is None:
            raise InvalidQuery("filter_column_unknown", f"filter.{column.strip()}")
        parsed.append(Filter(column.strip(), value.strip()))
    return parsed


@dataclass(frozen=True)
class Query:
    """One log's rows of one facility: period and filters (what 更新, CSV and export repeat)."""

    spec: LogSpec
    facility: str
    tz: ZoneInfo
    period: Period
    filters: tuple[Filter, ...] = ()


class Position(msgspec.Struct, array_like=True, frozen=True):
    """Where a page ended: the last row's time and id."""

    time: datetime
    id: str


def encode_cursor(position: Position) -> str:
    return base64.urlsafe_b64encode(msgspec.json.encode(position)).rstrip(b"=").decode()


def decode_cursor(cursor: str) -> Position:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        return msgspec.json.decode(raw, type=Position)
    except (binascii.Error, ValueError, msgspec.DecodeError):
        raise InvalidQuery("cursor_invalid", "cursor") from None


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


@dataclass(frozen=True)
class Page:
    rows: list[asyncpg.Record]
    cells: list[list[str]]
    next_cursor: str | None
    beyond: bool | None = None
    """More rows match than ``count_up_to`` (None when not asked)."""


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
