"""The Postgres event store: append with optimistic concurrency, read a stream, read all.

The caller owns the transaction (its unit of work writes state tables in it too). The
append must be the transaction's first write: see ``migrations/0001_events.sql`` for why
relay order depends on it; a violation raises instead of silently risking a skip.
"""

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass

import asyncpg

from libs.aio.tasks import cancel_and_wait
from libs.events import metrics
from libs.events.codec import decode, encode
from libs.events.envelope import Envelope
from libs.postgres.connection import Connection

NOTIFY_CHANNEL = "fumidai_events"


class ConcurrencyConflict(Exception):
    """Another writer appended to the aggregate first: the expected version is stale."""

    code = "version_conflict"

    def __init__(self, aggregate_id: str, version: int) -> None:
        super().__init__(f"aggregate {aggregate_id} already has version {version}")
        self.aggregate_id = aggregate_id
        self.version = version


class AppendOrderError(Exception):
    """The transaction wrote before appending; its events could be relayed out of order."""


@dataclass(frozen=True, order=True)
class Cursor:
    """A place in the relay order of one service's log."""

    tx_id: int = 0
    position: int = 0


@dataclass(frozen=True)
class StoredEvent:
    """An event as read back from the log: where it is, what it is, and its raw bytes."""

    cursor: Cursor
    event_id: str
    type: str
    facility: str
    aggregate_type: str
    aggregate_id: str
    payload: bytes

    def envelope(self) -> Envelope:
        return decode(self.payload)


_APPEND = """
WITH guard AS MATERIALIZED (SELECT pg_current_xact_id_if_assigned() IS NULL AS fresh)
INSERT INTO events (event_id, aggregate_id, version, aggregate_type, type, facility,
                    occurred_at, payload)
SELECT e.event_id, e.aggregate_id, e.version, e.aggregate_type, e.type, e.facility,
       e.occurred_at, e.payload
FROM unnest($1::uuid[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[],
            $7::timestamptz[], $8::bytea[])
     AS e(event_id, aggregate_id, version, aggregate_type, type, facility, occurred_at, payload),
     guard
WHERE guard.fresh
"""

# One event, the common case: plain parameters are cheaper than one-element arrays for
# both asyncpg and the server. The guard in WHERE is evaluated before the row is written.
_APPEND_ONE = """
INSERT INTO events (event_id, aggregate_id, version, aggregate_type, type, facility,
                    occurred_at, payload)
SELECT $1::uuid, $2::text, $3::int, $4::text, $5::text, $6::text, $7::timestamptz, $8::bytea
WHERE pg_current_xact_id_if_assigned() IS NULL
"""


def _row(env: Envelope) -> tuple[object, ...]:
    return (
        env.event_id,
        env.aggregate_id,
        env.version,
        env.aggregate_type,
        env.type,
        env.facility,
        env.occurred_at,
        encode(env),
    )


async def append(conn: Connection, envelopes: Sequence[Envelope]) -> None:
    """Append envelopes as the first write of ``conn``'s transaction (or alone, autocommit).

    Raises ConcurrencyConflict when a version is taken (stale expected version) and
    AppendOrderError when the transaction had already written something.
    """
    if not envelopes:
        return
    try:
        if len(envelopes) == 1:
            status = await conn.execute(_APPEND_ONE, *_row(envelopes[0]))
        else:
            columns = tuple(list(column) for column in zip(*map(_row, envelopes), strict=True))
            status = await conn.execute(_APPEND, *columns)
    except asyncpg.UniqueViolationError as error:
        if error.constraint_name == "events_pkey":
            first = envelopes[0]
            raise ConcurrencyConflict(first.aggregate_id, first.version) from error
        raise
    if status != f"INSERT 0 {len(envelopes)}":
        raise AppendOrderError("append events before any other write of the transaction")
    metrics.EVENTS_APPENDED.inc(len(envelopes))


async def read_stream(conn: Connection, aggregate_id: str) -> list[Envelope]:
    """Every event of one aggregate, in version order."""
    rows = await conn.fetch(
        "SELECT payload FROM events WHERE aggregate_id = $1 ORDER BY version", aggregate_id
    )
    return [decode(row["payload"]) for row in rows]


async def read_all(
    conn: Connection, after: Cursor = Cursor(), limit: int = 1000
) -> list[StoredEvent]:
    """Events after ``after`` in relay (commit) order, only from finished transactions."""
    rows = await conn.fetch(
        """SELECT tx_id::text::bigint AS tx_id, position, event_id::text, type, facility,
                  aggregate_type, aggregate_id, payload FROM events
           WHERE (tx_id, position) > ($1::text::xid8, $2)
             AND tx_id < pg_snapshot_xmin(pg_current_snapshot())
           ORDER BY tx_id, position
           LIMIT $3""",
        str(after.tx_id),
        after.position,
        limit,
    )
    return [
        StoredEvent(
            Cursor(row["tx_id"], row["position"]),
            row["event_id"],
            row["type"],
            row["facility"],
            row["aggregate_type"],
            row["aggregate_id"],
            bytes(row["payload"]),
        )
        for row in rows
    ]


async def iterate_all(
    conn: Connection, after: Cursor = Cursor(), page: int = 5000
) -> AsyncIterator[StoredEvent]:
    """Every finished event after ``after``, page by page, in relay order."""
    while True:
        batch = await read_all(conn, after, page)
        for stored in batch:
            yield stored
        if len(batch) < page:
            return
        after = batch[-1].cursor


class Notifier:
    """Tells relays that events were committed: in-process at once, other processes by NOTIFY.

    NOTIFY inside the writer's transaction would take Postgres' global notify lock at
    commit and serialise every writer; so it is sent after commit, and bursts coalesce
    into one every ``pace_s`` at most. When this process's own relay leads (``local_leads``)
    nobody else publishes, so no NOTIFY is sent at all: under steady load that is one
    statement per commit saved.
    """

    def __init__(
        self, pool: asyncpg.Pool, local_leads: Callable[[], bool], pace_s: float = 0.005
    ) -> None:
        self._pool = pool
        self._local_leads = local_leads
        self._pace_s = pace_s
        self._pending = asyncio.Event()
        self._local: list[asyncio.Event] = []
        self._task: asyncio.Task[None] | None = None

    def subscribe_local(self) -> asyncio.Event:
        """An event set whenever this process commits events."""
        event = asyncio.Event()
        self._local.append(event)
        return event

    def poke(self) -> None:
        """Call after a commit that appended events."""
        for event in self._local:
            event.set()
        self._pending.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="events-notifier")

    async def stop(self) -> None:
        await cancel_and_wait(self._task)
        self._task = None

    async def _run(self) -> None:
        while True:
            await self._pending.wait()
            self._pending.clear()
            if self._local_leads():
                continue
            try:
                await self._pool.execute("SELECT pg_notify($1, '')", NOTIFY_CHANNEL)
            except (OSError, asyncpg.PostgresError):
                # Relays also poll; a lost wake-up only costs one poll interval.
                await asyncio.sleep(0.5)
            await asyncio.sleep(self._pace_s)
