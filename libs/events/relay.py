"""The outbox relay: publishes a service's committed events to JetStream, in order.

One relay per service is active: a session advisory lock on a dedicated connection
elects it among replicas, and losing that connection ends the term. Each window is
published with ``Nats-Msg-Id`` = event id and the checkpoint moves only after every
PubAck of the window; a failure retries the window with the same ids, which JetStream
de-duplicates.
"""

import asyncio
import contextlib
import time
import zlib

import asyncpg
import structlog
from nats.aio.client import Client as NATS
from nats.js import JetStreamContext

from libs.aio.tasks import cancel_and_wait
from libs.events import metrics
from libs.events.catalogue import EVENTS_BY_TAG
from libs.events.correlation import NATS_HEADER, correlation_of
from libs.events.settings import EventSettings
from libs.events.store import NOTIFY_CHANNEL, Cursor, StoredEvent, read_all
from libs.postgres.connection import Connection

log = structlog.get_logger("relay")


class Relay:
    """Moves events from one service's log to its context's stream."""

    def __init__(
        self,
        *,
        service: str,
        dsn: str,
        pool: asyncpg.Pool,
        nc: NATS,
        settings: EventSettings,
        wake: asyncio.Event | None = None,
    ) -> None:
        self._service = service
        self._dsn = dsn
        self._pool = pool
        self._nc = nc
        self._js: JetStreamContext = nc.jetstream(timeout=settings.relay_ack_timeout_s)
        self._settings = settings
        self._wake = wake or asyncio.Event()
        self._lock_key = zlib.crc32(f"fumidai-relay:{service}".encode())
        self._task: asyncio.Task[None] | None = None
        self.is_leader = False
        self.published = 0
        self._stopping = False

    def start(self) -> None:
        self._stopping = False
        self._task = asyncio.create_task(self._run(), name=f"relay-{self._service}")

    async def stop(self) -> None:
        # The flag as well as the cancel: on Python 3.11 a cancel that races a timeout
        # (asyncio.wait_for, used inside nats-py too) can be swallowed.
        self._stopping = True
        self._wake.set()
        await cancel_and_wait(self._task)
        self._task = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def _run(self) -> None:
        while not self._stopping:
            try:
                await self._lead()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # the relay must outlive any single failure
                log.warning("relay_term_ended", service=self._service, error=repr(error))
            self.is_leader = False
            metrics.RELAY_LEADER.set(0)
            await asyncio.sleep(1.0)

    async def _lead(self) -> None:
        conn: Connection = await asyncpg.connect(self._dsn)
        try:
            while not await conn.fetchval("SELECT pg_try_advisory_lock($1)", self._lock_key):
                if self._stopping:
                    return
                await asyncio.sleep(self._settings.relay_poll_s)
            self.is_leader = True
            metrics.RELAY_LEADER.set(1)
            log.info("relay_leader", service=self._service)
            await conn.add_listener(NOTIFY_CHANNEL, self._on_notify)
            await self._publish_forever(conn)
        finally:
            with contextlib.suppress(Exception):
                await conn.close()

    def _on_notify(self, *_: object) -> None:
        self._wake.set()

    async def _publish_forever(self, conn: Connection) -> None:
        cursor = await self._load_checkpoint(conn)
        failures = 0
        measured = 0.0
        held_back_delay = 0.005
        while not self._stopping:
            if time.monotonic() - measured > 1.0:
                await self._measure_backlog(conn, cursor)
                measured = time.monotonic()
            if conn.is_closed():
                raise ConnectionError("relay lock connection lost")
            self._wake.clear()
            batch = await read_all(conn, cursor, self._settings.relay_batch)
            if not batch and await self._held_back(conn, cursor):
                # Committed events exist but an older write transaction somewhere on the
                # server is still open (see read_all): look again soon, not at next poll.
                await asyncio.sleep(held_back_delay)
                held_back_delay = min(held_back_delay * 2, 0.2)
                continue
            held_back_delay = 0.005
            if not batch:
                # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow a cancel
                # that arrives as the wake-up does, and the relay would never stop.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self._settings.relay_poll_s):
                        await self._wake.wait()
                continue
            try:
                await self._publish_window(batch)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                failures += 1
                metrics.RELAY_ERRORS.inc()
                log.warning("relay_publish_failed", error=repr(error), attempt=failures)
                await asyncio.sleep(min(0.1 * 2**failures, 5.0))
                continue
            failures = 0
            cursor = batch[-1].cursor
            await conn.execute(
                """INSERT INTO relay_checkpoint (tx_id, position) VALUES ($1::text::xid8, $2)
                   ON CONFLICT (singleton) DO UPDATE
                   SET tx_id = EXCLUDED.tx_id, position = EXCLUDED.position, updated_at = now()""",
                str(cursor.tx_id),
                cursor.position,
            )
            self.published += len(batch)
            metrics.EVENTS_PUBLISHED.inc(len(batch))
            if len(batch) < self._settings.relay_batch and self._settings.relay_gather_s:
                # Under a steady trickle every commit would otherwise cost a cycle of its
                # own (read, publish, checkpoint commit): a few ms of lag buy batching.
                await asyncio.sleep(self._settings.relay_gather_s)

    async def _held_back(self, conn: Connection, cursor: Cursor) -> bool:
        return bool(
            await conn.fetchval(
                """SELECT EXISTS (SELECT 1 FROM events
                       WHERE (tx_id, position) > ($1::text::xid8, $2))""",
                str(cursor.tx_id),
                cursor.position,
            )
        )

    async def _measure_backlog(self, conn: Connection, cursor: Cursor) -> None:
        """Events committed past the checkpoint (counted up to 1,000,000), for the gauge."""
        backlog = await conn.fetchval(
            """SELECT count(*) FROM (SELECT 1 FROM events
                   WHERE (tx_id, position) > ($1::text::xid8, $2) LIMIT 1000000) AS pending""",
            str(cursor.tx_id),
            cursor.position,
        )
        metrics.RELAY_BACKLOG.set(backlog)

    async def _load_checkpoint(self, conn: Connection) -> Cursor:
        row = await conn.fetchrow(
            "SELECT tx_id::text::bigint AS tx_id, position FROM relay_checkpoint"
        )
        return Cursor(row["tx_id"], row["position"]) if row else Cursor()

    async def _publish_window(self, batch: list[StoredEvent]) -> None:
        """Publish a window and wait for every PubAck; raise if any is missing."""
        root = self._settings.subject_root
        futures = []
        for stored in batch:
            name, _, _ = stored.type.partition(".")
            context = EVENTS_BY_TAG[stored.type].context
            subject = (
                f"{root}.{context}.{stored.facility}.{stored.aggregate_type}."
                f"{stored.aggregate_id}.{name}"
            )
            futures.append(
                await self._js.publish_async(
                    subject,
                    stored.payload,
                    wait_stall=self._settings.relay_ack_timeout_s,
                    headers={
                        "Nats-Msg-Id": stored.event_id,
                        "Fumidai-Type": stored.type,
                        NATS_HEADER: correlation_of(stored.payload),
                    },
                )
            )
        try:
            async with asyncio.timeout(self._settings.relay_ack_timeout_s):
                await asyncio.gather(*futures)
        finally:
            for future in futures:
                if not future.done():
                    future.cancel()
