"""Rebuild a projection from its streams into fresh tables, compare, and swap them in.

The rebuild replays every message of the projection's streams through the same
``apply`` code with ``search_path`` set to a scratch schema holding empty copies of the
projection's tables (and its own inbox). To swap, it takes the projection's advisory
lock exclusively (live consumers take it shared per transaction, so they pause), catches
up with what arrived meanwhile, and replaces the live rows and inbox in one transaction.
"""

import contextlib
from dataclasses import dataclass

import asyncpg
from nats.aio.client import Client as NATS
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError

from libs.events.access import rebuild_durable
from libs.events.codec import UndecodableEvent, decode
from libs.events.consumer import apply_batch, projection_lock_key
from libs.events.envelope import Envelope
from libs.events.projection import Projection, contexts_of
from libs.events.settings import EventSettings
from libs.events.subjects import filter_for
from libs.postgres.connection import Connection


@dataclass(frozen=True)
class RebuildReport:
    projection: str
    events: int
    differences: dict[str, int]
    """Per table: rows in one of live or rebuilt but not the other (0 = identical)."""
    swapped: bool


def scratch_schema(projection: Projection) -> str:
    return f"rebuild_{projection.name}"


async def _prepare(conn: Connection, projection: Projection) -> str:
    schema = scratch_schema(projection)
    await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    await conn.execute(f'CREATE SCHEMA "{schema}"')
    for table in (*projection.tables, "inbox"):
        await conn.execute(
            f'CREATE TABLE "{schema}"."{table}" (LIKE public."{table}" INCLUDING ALL)'
        )
    return schema


async def _replay(
    pool: asyncpg.Pool,
    js: JetStreamContext,
    projection: Projection,
    settings: EventSettings,
    schema: str,
    start_after: dict[str, int],
) -> tuple[int, dict[str, int]]:
    """Apply every message after ``start_after[stream]`` up to each stream's end now."""
    applied = 0
    reached: dict[str, int] = {}
    for context in contexts_of(projection):
        stream = settings.stream_name(context)
        last = (await js.stream_info(stream)).state.last_seq
        first = start_after.get(stream, 0)
        reached[stream] = max(first, last)
        if last <= first:
            continue
        filters = sorted(
            filter_for(settings.subject_root, e) for e in projection.events if e.context == context
        )
        # A fixed name: the service's NATS identity may own this consumer and no other
        # (decision 0026); a leftover of an interrupted rebuild is dropped first.
        durable = rebuild_durable(projection, context)
        with contextlib.suppress(NotFoundError):
            await js.delete_consumer(stream, durable)
        await js.add_consumer(
            stream,
            ConsumerConfig(
                durable_name=durable,
                deliver_policy=DeliverPolicy.BY_START_SEQUENCE,
                opt_start_seq=first + 1,
                ack_policy=AckPolicy.NONE,
                inactive_threshold=60,
                filter_subjects=filters if len(filters) > 1 else None,
                filter_subject=filters[0] if len(filters) == 1 else None,
            ),
        )
        try:
            sub = await js.pull_subscribe_bind(durable, stream=stream)
            done = False
            while not done:
                try:
                    msgs = await sub.fetch(2000, timeout=1.0)
                except (TimeoutError, NatsTimeoutError):
                    break  # nothing left that matches the filter
                batch: list[Envelope] = []
                for msg in msgs:
                    if msg.metadata.sequence.stream > last:
                        done = True
                        break
                    try:
                        batch.append(decode(msg.data))
                    except UndecodableEvent:
                        continue  # dead-lettered when live; a rebuild skips it the same way
                    if msg.metadata.sequence.stream == last or msg.metadata.num_pending == 0:
                        done = True
                if batch:
                    async with pool.acquire() as conn, conn.transaction():
                        await conn.execute(f'SET LOCAL search_path TO "{schema}", public')
                        applied += await apply_batch(conn, projection, batch, live=False)
                if msgs and msgs[-1].metadata.num_pending == 0:
                    done = True
        finally:
            await js.delete_consumer(stream, durable)
    return applied, reached


async def _compare(conn: Connection, projection: Projection, schema: str) -> dict[str, int]:
    differences = {}
    for table in projection.tables:
        differences[table] = await conn.fetchval(
            f"""SELECT (SELECT count(*) FROM (SELECT * FROM public."{table}"
                        EXCEPT ALL SELECT * FROM "{schema}"."{table}") a)
                     + (SELECT count(*) FROM (SELECT * FROM "{schema}"."{table}"
                        EXCEPT ALL SELECT * FROM public."{table}") b)"""
        )
    return differences


async def rebuild(
    pool: asyncpg.Pool,
    nc: NATS,
    projection: Projection,
    settings: EventSettings,
    *,
    swap: bool,
) -> RebuildReport:
    """Rebuild ``projection`` from its streams; swap it in when ``swap``.

    Without swap the live consumer keeps running and the comparison is taken under the
    projection's lock, after catching up, so both sides saw the same messages.
    """
    js = nc.jetstream()
    async with pool.acquire() as conn:
        schema = await _prepare(conn, projection)
    events, reached = await _replay(pool, js, projection, settings, schema, {})
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", projection_lock_key(projection.name))
        more, _ = await _replay_locked(pool, js, projection, settings, schema, reached, conn)
        events += more
        differences = await _compare(conn, projection, schema)
        if swap:
            for table in projection.tables:
                await conn.execute(f'DELETE FROM public."{table}"')
                await conn.execute(
                    f'INSERT INTO public."{table}" OVERRIDING SYSTEM VALUE'
                    f' SELECT * FROM "{schema}"."{table}"'
                )
            await conn.execute("DELETE FROM public.inbox WHERE projection = $1", projection.name)
            await conn.execute(f'INSERT INTO public.inbox SELECT * FROM "{schema}".inbox')
        await conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
    return RebuildReport(projection.name, events, differences, swap)


async def _replay_locked(
    pool: asyncpg.Pool,
    js: JetStreamContext,
    projection: Projection,
    settings: EventSettings,
    schema: str,
    reached: dict[str, int],
    conn: Connection,
) -> tuple[int, dict[str, int]]:
    """Catch up while the lock is held; live consumers wait, so nothing moves under us.

    Live consumers may have fetched messages before the lock and commit them after; the
    inbox makes that harmless: their events are already in the rebuilt inbox.
    """
    del conn  # held only for its lock; replay writes through its own transactions
    return await _replay(pool, js, projection, settings, schema, reached)
