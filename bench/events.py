"""Benchmark of the event backbone against the raw limits of the same servers.

Run on demand, not as a test::

    .venv/bin/python -m bench.events [--quick]

It starts a private PostgreSQL and NATS JetStream (or uses ``FUMIDAI_BENCH_DATABASE_URL``
and ``FUMIDAI_BENCH_NATS_URL`` when both are set), creates fresh databases and streams of
its own, prints a table as it goes, and prints one JSON object as its last line.
See ``bench/README.md`` for what each figure means.
"""

import argparse
import asyncio
import contextlib
import json
import logging
import os
import shutil
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

import asyncpg
import nats
import psutil
import structlog
from nats.aio.client import Client as NATS
from nats.aio.msg import Msg
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from libs.events.catalogue.probe import ProbeRecorded
from libs.events.codec import decode, encode
from libs.events.consumer import ConsumerRunner
from libs.events.envelope import Actor, Envelope, envelop
from libs.events.rebuild import rebuild
from libs.events.relay import Relay
from libs.events.settings import EventSettings
from libs.events.store import Notifier, append
from libs.events.streams import ensure_streams, stream_configs
from libs.events.tests.tally import TALLY_DDL, ProbeTally
from libs.postgres.migrations import apply, discover
from libs.runtime.backbone import EVENTS_MIGRATIONS

TARGETS: dict[str, float] = {
    "append_ratio": 0.7,
    "relay_ratio": 0.5,
    "consume_ratio": 0.5,
    "lag_p99_ms": 200,
    "rebuild_eps": 10000,
}

BENCH_ACTOR = Actor(id="bench", role="system", ip="127.0.0.1")
PEER_TOPIC = "libs.events.catalogue.probe:ProbeRecorded"
WRITERS = 8
LAG_RATE = 500  # events per second in the steady-state latency run
RAW_PUBLISH_WINDOW = 4000  # outstanding PubAcks of the raw publisher (nats-py's default)
BACKLOG_CHUNK = 1000  # envelopes per append() call when pre-writing a backlog


@dataclass(frozen=True)
class Plan:
    """How long and how much: the full run or the quick one."""

    quick: bool
    duration_s: float  # each fixed-duration write run
    events: int  # backlog for publish, fetch, relay, consume, rebuild
    lag_s: float  # steady-state latency run

    @classmethod
    def of(cls, quick: bool) -> "Plan":
        if quick:
            return cls(quick=True, duration_s=3.0, events=10_000, lag_s=10.0)
        return cls(quick=False, duration_s=8.0, events=50_000, lag_s=60.0)


def bench_event(aggregate_id: str, seq: int) -> Envelope:
    """One probe event, as every write of this benchmark appends it."""
    return envelop(
        ProbeRecorded(seq=seq, note="bench"),
        facility="998",
        aggregate_id=aggregate_id,
        version=1,
        actor=BENCH_ACTOR,
    )


PAYLOAD = encode(bench_event("bench-0-0000000", 0))
"""Bytes of the same size as one of our encoded envelopes (raw and peer payloads)."""


# -- output ------------------------------------------------------------------------------


def say(text: str = "") -> None:
    print(text, flush=True)


def header(title: str) -> None:
    say()
    say(f"== {title}")


def row(
    label: str,
    value: float,
    unit: str,
    *,
    ratio: float | None = None,
    target: str = "",
    ok: bool | None = None,
    note: str = "",
) -> None:
    ratio_text = f"{ratio:7.2f}" if ratio is not None else " " * 7
    verdict = "" if ok is None else ("ok" if ok else "MISS")
    say(f"  {label:<30}{value:>12,.1f} {unit:<6}{ratio_text}  {target:<9}{verdict:<5} {note}")


# -- CPU accounting ----------------------------------------------------------------------


class CpuMeter:
    """CPU used by this process, the PostgreSQL server and the NATS server over a span."""

    def __init__(self, pg_pid: int | None, nats_pid: int | None) -> None:
        self._me = psutil.Process()
        self._pg = psutil.Process(pg_pid) if pg_pid else None
        self._nats = psutil.Process(nats_pid) if nats_pid else None

    @staticmethod
    def _seconds(proc: psutil.Process | None, children: bool) -> float | None:
        """CPU seconds of ``proc`` and, with ``children``, of its children dead or alive.

        A server's backends come and go (one per connection): the ones that exited are in
        the parent's reaped-children times, the live ones are summed one by one.
        """
        if proc is None:
            return None
        try:
            times = proc.cpu_times()
        except psutil.Error:
            return None
        total = times.user + times.system
        if children:
            total += times.children_user + times.children_system
            with contextlib.suppress(psutil.Error):
                for child in proc.children(recursive=True):
                    with contextlib.suppress(psutil.Error):
                        child_times = child.cpu_times()
                        total += child_times.user + child_times.system
        return total

    def snapshot(self) -> tuple[float, float | None, float | None, float | None]:
        return (
            time.perf_counter(),
            self._seconds(self._me, False),
            self._seconds(self._pg, True),
            self._seconds(self._nats, False),
        )

    def since(self, snap: tuple[float, float | None, float | None, float | None]) -> str:
        now = self.snapshot()
        wall = max(now[0] - snap[0], 1e-9)
        parts = []
        for name, before, after in zip(("py", "pg", "nats"), snap[1:], now[1:], strict=True):
            if before is not None and after is not None:
                parts.append(f"{name} {100 * (after - before) / wall:.0f}%")
        return "cpu " + " ".join(parts)


# -- servers and databases ---------------------------------------------------------------


@dataclass
class Servers:
    postgres_url: str
    nats_url: str
    pg_pid: int | None = None
    nats_pid: int | None = None
    embedded: bool = False


@contextlib.contextmanager
def servers() -> Iterator[Servers]:
    """Embedded PostgreSQL and NATS in a temporary folder, or the ones the environment names."""
    given_pg = os.environ.get("FUMIDAI_BENCH_DATABASE_URL")
    given_nats = os.environ.get("FUMIDAI_BENCH_NATS_URL")
    if given_pg and given_nats:
        yield Servers(given_pg, given_nats)
        return
    from libs.devservers.nats import EmbeddedNats
    from libs.devservers.postgres import EmbeddedPostgres

    # As root PostgreSQL runs as a system user that must reach its data directory.
    tmp = Path(tempfile.mkdtemp(prefix="fumidai-bench-"))
    tmp.chmod(0o755)
    try:
        postgres = EmbeddedPostgres(tmp / "pg")
        nats_server = EmbeddedNats(tmp / "nats")
        postgres.start()
        try:
            nats_server.start()
            try:
                yield Servers(
                    postgres.dsn("postgres"),
                    nats_server.url,
                    pg_pid=postgres.pid,
                    nats_pid=nats_server.pid,
                    embedded=True,
                )
            finally:
                nats_server.stop()
        finally:
            postgres.stop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def dsn_for(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{database}"))


async def create_database(admin_url: str, name: str) -> str:
    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return dsn_for(admin_url, name)


async def drop_database(admin_url: str, name: str) -> None:
    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def checkpoint(admin_url: str) -> None:
    """Flush dirty pages now so a checkpoint does not land inside a timed run."""
    with contextlib.suppress(asyncpg.PostgresError):
        conn = await asyncpg.connect(admin_url)
        try:
            await conn.execute("CHECKPOINT")
        finally:
            await conn.close()


# -- helpers -----------------------------------------------------------------------------

Op = Callable[[int], Awaitable[None]]


async def run_for(ops: list[Op], duration_s: float, warmup: int = 50) -> float:
    """Run each op in its own loop for ``duration_s``; return operations per second."""
    for op in ops:
        for i in range(warmup):
            await op(-1 - i)
    done = [0] * len(ops)
    start = time.perf_counter()
    end = start + duration_s

    async def loop(k: int, op: Op) -> None:
        i = 0
        while time.perf_counter() < end:
            await op(i)
            i += 1
        done[k] = i

    await asyncio.gather(*(loop(k, op) for k, op in enumerate(ops)))
    return sum(done) / (time.perf_counter() - start)


async def wait_until(predicate: Callable[[], Awaitable[bool]], timeout: float, poll: float) -> None:
    deadline = time.perf_counter() + timeout
    while not await predicate():
        if time.perf_counter() > deadline:
            raise TimeoutError(f"gave up after {timeout:.0f}s")
        await asyncio.sleep(poll)


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), round(p / 100 * len(sorted_values) + 0.5)))
    return sorted_values[rank - 1]


def ratio(ours: float, theirs: float) -> float:
    return ours / theirs if theirs else float("nan")


# -- raw PostgreSQL ----------------------------------------------------------------------


async def raw_insert(dsn: str, connections: int, duration_s: float) -> float:
    conns = [await asyncpg.connect(dsn) for _ in range(connections)]
    try:

        def op_for(conn: asyncpg.Connection) -> Op:
            async def op(_: int) -> None:
                await conn.execute("INSERT INTO raw_events (payload) VALUES ($1)", PAYLOAD)

            return op

        return await run_for([op_for(c) for c in conns], duration_s)
    finally:
        for conn in conns:
            await conn.close()


# -- our append --------------------------------------------------------------------------


async def our_append(dsn: str, writers: int, duration_s: float, *, tx: bool, tag: str) -> float:
    conns = [await asyncpg.connect(dsn) for _ in range(writers)]
    try:

        def op_for(k: int, conn: asyncpg.Connection) -> Op:
            async def op(i: int) -> None:
                envelope = bench_event(f"{tag}-{k}-{i}", i)
                if tx:
                    async with conn.transaction():
                        await append(conn, [envelope])
                else:
                    await append(conn, [envelope])

            return op

        return await run_for([op_for(k, c) for k, c in enumerate(conns)], duration_s)
    finally:
        for conn in conns:
            await conn.close()


# -- the peer: the eventsourcing package's PostgreSQL recorder ---------------------------


def peer_append(dsn: str, writers: int, duration_s: float, *, create: bool) -> float:
    """Insert one stored event per call with ``writers`` threads; return events per second."""
    from eventsourcing.persistence import StoredEvent
    from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore

    parts = urlsplit(dsn)
    datastore = PostgresDatastore(
        dbname=unquote(parts.path.lstrip("/")),
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=unquote(parts.username or "postgres"),
        password=unquote(parts.password or ""),
        pool_size=writers,
    )
    try:
        recorder = PostgresApplicationRecorder(datastore)
        if create:
            recorder.create_table()

        def insert() -> None:
            recorder.insert_events(
                [
                    StoredEvent(
                        originator_id=uuid.uuid4(),
                        originator_version=1,
                        topic=PEER_TOPIC,
                        state=PAYLOAD,
                    )
                ]
            )

        counts = [0] * writers
        window: dict[str, float] = {}

        def open_window() -> None:  # runs once, when every thread is warm
            window["start"] = time.perf_counter()
            window["end"] = window["start"] + duration_s

        ready = threading.Barrier(writers, action=open_window)

        def work(k: int) -> None:
            for _ in range(50):
                insert()
            ready.wait()
            end = window["end"]
            n = 0
            while time.perf_counter() < end:
                insert()
                n += 1
            counts[k] = n

        threads = [threading.Thread(target=work, args=(k,)) for k in range(writers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return sum(counts) / (time.perf_counter() - window["start"])
    finally:
        datastore.close()


# -- raw JetStream -----------------------------------------------------------------------


async def raw_publish(nc: NATS, settings: EventSettings, count: int) -> float:
    """Async publish with a window of outstanding PubAcks to a fresh stream like ours."""
    js = nc.jetstream(publish_async_max_pending=RAW_PUBLISH_WINDOW)
    root = settings.subject_root
    start = time.perf_counter()
    futures = []
    for i in range(count):
        futures.append(
            await js.publish_async(
                f"{root}.probe.998.probe.raw-{i}.ProbeRecorded",
                PAYLOAD,
                wait_stall=30.0,
                headers={"Nats-Msg-Id": str(uuid.uuid4()), "Fumidai-Type": "ProbeRecorded.v1"},
            )
        )
    await asyncio.gather(*futures)
    elapsed = time.perf_counter() - start
    info = await js.stream_info(settings.stream_name("probe"))
    assert info.state.messages == count, f"raw stream holds {info.state.messages}, not {count}"
    return count / elapsed


async def raw_fetch_ack(nc: NATS, settings: EventSettings, count: int) -> float:
    """A durable pull consumer: fetch 200, ack each, until ``count`` are acked."""
    js = nc.jetstream()
    stream = settings.stream_name("probe")
    sub = await js.pull_subscribe(
        f"{settings.subject_root}.probe.>",
        durable="raw_fetch_ack",
        stream=stream,
        config=ConsumerConfig(
            deliver_policy=DeliverPolicy.ALL,
            ack_policy=AckPolicy.EXPLICIT,
            max_ack_pending=settings.consumer_max_ack_pending,
        ),
    )
    acked = 0
    start = time.perf_counter()
    while acked < count:
        try:
            msgs = await sub.fetch(settings.consumer_batch, timeout=2.0)
        except (TimeoutError, NatsTimeoutError):
            continue
        for msg in msgs:
            await msg.ack()
        acked += len(msgs)
    await nc.flush()
    elapsed = time.perf_counter() - start
    await sub.unsubscribe()
    return count / elapsed


# -- the run -----------------------------------------------------------------------------


class Bench:
    def __init__(self, plan: Plan, srv: Servers) -> None:
        self.plan = plan
        self.srv = srv
        self.tag = uuid.uuid4().hex[:8]
        self.settings = EventSettings(
            subject_root=f"b{self.tag}", stream_prefix=f"B{self.tag.upper()}"
        )
        self.raw_settings = EventSettings(
            subject_root=f"r{self.tag}", stream_prefix=f"R{self.tag.upper()}"
        )
        self.cpu = CpuMeter(srv.pg_pid, srv.nats_pid)
        self.databases: list[str] = []
        self.streams: list[str] = []
        self.results: dict[str, Any] = {}

    async def database(self, role: str, *, events: bool = False, tally: bool = False) -> str:
        name = f"bench_{self.tag}_{role}"
        dsn = await create_database(self.srv.postgres_url, name)
        self.databases.append(name)
        if events or tally:
            conn = await asyncpg.connect(dsn)
            try:
                if events:
                    await apply(conn, discover("events", EVENTS_MIGRATIONS))
                if tally:
                    await conn.execute(TALLY_DDL)
            finally:
                await conn.close()
        return dsn

    async def run(self) -> dict[str, Any]:
        plan, r = self.plan, self.results
        say(
            f"fumidai event backbone benchmark ({'quick' if plan.quick else 'full'}): "
            f"{plan.events:,} events, {plan.duration_s:.0f}s write runs, "
            f"{plan.lag_s:.0f}s at {LAG_RATE}/s, payload {len(PAYLOAD)} B, "
            f"{psutil.cpu_count()} CPUs"
        )
        say(f"  postgres {self.srv.postgres_url}  nats {self.srv.nats_url}")
        say(f"  {'':<30}{'value':>12} {'unit':<6}{'ratio':>7}  {'target':<9}")
        raw_dsn = await self.database("raw")
        append_dsn = await self.database("append", events=True)
        svc_dsn = await self.database("svc", events=True)
        other_dsn = await self.database("other", events=True, tally=True)
        peer_dsn = await self.database("peer")
        conn = await asyncpg.connect(raw_dsn)
        await conn.execute(
            "CREATE TABLE raw_events (id bigserial PRIMARY KEY, payload bytea NOT NULL)"
        )
        await conn.close()

        nc = await nats.connect(self.srv.nats_url, max_reconnect_attempts=-1, error_cb=_quiet)
        try:
            await self._postgres(raw_dsn, append_dsn, peer_dsn)
            await self._jetstream(nc)
            await self._backbone(nc, svc_dsn, other_dsn)
        finally:
            with contextlib.suppress(Exception):
                await self._delete_streams(nc)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(nc.close(), 5.0)
        if not self.srv.embedded:
            for name in self.databases:
                with contextlib.suppress(Exception):
                    await drop_database(self.srv.postgres_url, name)

        r["append_ratio_1w"] = ratio(r["append_1w_eps"], r["raw_insert_1c_tps"])
        r["append_ratio_8w"] = ratio(r["append_8w_eps"], r["raw_insert_8c_tps"])
        r["relay_ratio"] = ratio(r["relay_eps"], r["raw_publish_mps"])
        r["consume_ratio"] = ratio(r["consume_eps"], r["raw_fetch_ack_mps"])
        r["peer_append_ratio"] = ratio(r["append_1w_eps"], r["peer_append_1w_eps"])
        r["peer_append_ratio_8w"] = ratio(r["append_8w_eps"], r["peer_append_8w_eps"])
        r["peer_append_ratio_tx"] = ratio(r["append_1w_tx_eps"], r["peer_append_1w_eps"])
        self._summary()
        return {
            "events": plan.events,
            "quick": plan.quick,
            "cpu_count": psutil.cpu_count(),
            "duration_s": plan.duration_s,
            "lag_s": plan.lag_s,
            "payload_bytes": len(PAYLOAD),
            "targets": TARGETS,
            **{k: _rounded(v) for k, v in r.items()},
            "met": self._met(),
        }

    # -- PostgreSQL writes ---------------------------------------------------------------

    async def _postgres(self, raw_dsn: str, append_dsn: str, peer_dsn: str) -> None:
        plan, r = self.plan, self.results
        d = plan.duration_s
        header("PostgreSQL writes, one event (row) per transaction")
        for key, label, run in (
            ("raw_insert_1c_tps", "raw INSERT, 1 conn", lambda: raw_insert(raw_dsn, 1, d)),
            (
                "raw_insert_8c_tps",
                f"raw INSERT, {WRITERS} conns",
                lambda: raw_insert(raw_dsn, WRITERS, d),
            ),
            (
                "append_1w_eps",
                "append(), 1 writer, autocommit",
                lambda: our_append(append_dsn, 1, d, tx=False, tag="a1"),
            ),
            (
                "append_1w_tx_eps",
                "append(), 1 writer, in tx",
                lambda: our_append(append_dsn, 1, d, tx=True, tag="a1tx"),
            ),
            (
                "append_8w_eps",
                f"append(), {WRITERS} writers",
                lambda: our_append(append_dsn, WRITERS, d, tx=False, tag="a8"),
            ),
        ):
            await checkpoint(self.srv.postgres_url)
            snap = self.cpu.snapshot()
            r[key] = await run()
            note = self.cpu.since(snap)
            if key == "append_1w_eps":
                ref = r["raw_insert_1c_tps"]
                ok = ratio(r[key], ref) >= TARGETS["append_ratio"]
                row(
                    label,
                    r[key],
                    "ev/s",
                    ratio=ratio(r[key], ref),
                    target="≥0.7 raw",
                    ok=ok,
                    note=note,
                )
            elif key == "append_8w_eps":
                ref = r["raw_insert_8c_tps"]
                ok = ratio(r[key], ref) >= TARGETS["append_ratio"]
                row(
                    label,
                    r[key],
                    "ev/s",
                    ratio=ratio(r[key], ref),
                    target="≥0.7 raw",
                    ok=ok,
                    note=note,
                )
            elif key == "append_1w_tx_eps":
                row(label, r[key], "ev/s", ratio=ratio(r[key], r["raw_insert_1c_tps"]), note=note)
            else:
                row(label, r[key], "tx/s", note=note)

        header("peer: eventsourcing PostgresApplicationRecorder (psycopg, threads)")
        for key, writers, create in (
            ("peer_append_1w_eps", 1, True),
            ("peer_append_8w_eps", WRITERS, False),
        ):
            await checkpoint(self.srv.postgres_url)
            snap = self.cpu.snapshot()
            r[key] = await asyncio.to_thread(peer_append, peer_dsn, writers, d, create=create)
            ours = r["append_1w_eps"] if writers == 1 else r["append_8w_eps"]
            row(
                f"peer insert_events, {writers} thr",
                r[key],
                "ev/s",
                ratio=ratio(ours, r[key]),
                target="ours/peer",
                note=self.cpu.since(snap),
            )

    # -- JetStream limits ----------------------------------------------------------------

    async def _jetstream(self, nc: NATS) -> None:
        plan, r = self.plan, self.results
        header("JetStream limits (fresh stream configured like ours)")
        js = nc.jetstream()
        raw_stream = self.raw_settings.stream_name("probe")
        config = next(c for c in stream_configs(self.raw_settings) if c.name == raw_stream)
        await js.add_stream(config)
        self.streams.append(raw_stream)
        snap = self.cpu.snapshot()
        r["raw_publish_mps"] = await raw_publish(nc, self.raw_settings, plan.events)
        row(
            f"publish_async, window {RAW_PUBLISH_WINDOW}",
            r["raw_publish_mps"],
            "msg/s",
            note=self.cpu.since(snap),
        )
        snap = self.cpu.snapshot()
        r["raw_fetch_ack_mps"] = await raw_fetch_ack(nc, self.raw_settings, plan.events)
        row(
            f"pull fetch {self.raw_settings.consumer_batch} + ack",
            r["raw_fetch_ack_mps"],
            "msg/s",
            note=self.cpu.since(snap),
        )

    # -- relay, consume, rebuild, lag ----------------------------------------------------

    async def _backbone(self, nc: NATS, svc_dsn: str, other_dsn: str) -> None:
        plan, r, settings = self.plan, self.results, self.settings
        n = plan.events
        header("our relay, consumer, rebuild")
        js = nc.jetstream()
        await ensure_streams(js, settings)
        self.streams += [c.name for c in stream_configs(settings) if c.name is not None]
        svc_pool = await asyncpg.create_pool(svc_dsn, min_size=2, max_size=16)
        other_pool = await asyncpg.create_pool(other_dsn, min_size=2, max_size=8)
        notifier = Notifier(svc_pool)
        relay = Relay(
            service="bench",
            dsn=svc_dsn,
            pool=svc_pool,
            nc=nc,
            settings=settings,
            wake=notifier.subscribe_local(),
        )
        try:
            # A backlog, written in bulk before the relay starts.
            started = time.perf_counter()
            async with svc_pool.acquire() as conn:
                for first in range(0, n, BACKLOG_CHUNK):
                    await append(
                        conn,
                        [
                            bench_event(f"backlog-{i}", i)
                            for i in range(first, min(n, first + BACKLOG_CHUNK))
                        ],
                    )
            say(f"  (backlog of {n:,} written in bulk in {time.perf_counter() - started:.1f}s)")
            await checkpoint(self.srv.postgres_url)

            notifier.start()
            snap = self.cpu.snapshot()
            started = time.perf_counter()
            relay.start()

            async def relayed() -> bool:
                return relay.published >= n

            await wait_until(relayed, timeout=300, poll=0.005)
            r["relay_eps"] = n / (time.perf_counter() - started)
            info = await js.stream_info(settings.stream_name("probe"))
            assert info.state.messages == n, f"stream holds {info.state.messages}, not {n}"
            r["relay_ratio"] = ratio(r["relay_eps"], r["raw_publish_mps"])
            row(
                f"relay backlog (batch {settings.relay_batch})",
                r["relay_eps"],
                "ev/s",
                ratio=r["relay_ratio"],
                target="≥0.5 pub",
                ok=r["relay_ratio"] >= TARGETS["relay_ratio"],
                note=self.cpu.since(snap),
            )

            # The projection catches up on the whole stream, in the other service's db.
            await checkpoint(self.srv.postgres_url)
            runner = ConsumerRunner(
                projection=ProbeTally(), pool=other_pool, nc=nc, settings=settings
            )
            snap = self.cpu.snapshot()
            started = time.perf_counter()
            await runner.start()

            async def consumed() -> bool:
                return runner.applied >= n

            try:
                await wait_until(consumed, timeout=600, poll=0.005)
                r["consume_eps"] = n / (time.perf_counter() - started)
                note = self.cpu.since(snap)
            finally:
                await runner.stop()
            tallied = await other_pool.fetchval("SELECT count(*) FROM probe_tally")
            assert tallied == n, f"tally holds {tallied}, not {n}"
            r["consume_ratio"] = ratio(r["consume_eps"], r["raw_fetch_ack_mps"])
            row(
                f"consume ProbeTally (batch {settings.consumer_batch})",
                r["consume_eps"],
                "ev/s",
                ratio=r["consume_ratio"],
                target="≥0.5 f+a",
                ok=r["consume_ratio"] >= TARGETS["consume_ratio"],
                note=note,
            )

            # Rebuild the projection from the stream, beside the live one, and compare.
            await checkpoint(self.srv.postgres_url)
            snap = self.cpu.snapshot()
            started = time.perf_counter()
            report = await rebuild(other_pool, nc, ProbeTally(), settings, swap=False)
            r["rebuild_eps"] = report.events / (time.perf_counter() - started)
            r["rebuild_events"] = report.events
            r["rebuild_differences"] = sum(report.differences.values())
            row(
                "rebuild ProbeTally (no swap)",
                r["rebuild_eps"],
                "ev/s",
                target="≥10000",
                ok=r["rebuild_eps"] >= TARGETS["rebuild_eps"],
                note=f"{report.events:,} ev, {r['rebuild_differences']} diffs; "
                + self.cpu.since(snap),
            )

            await checkpoint(self.srv.postgres_url)
            await self._lag(nc, svc_pool, other_pool, notifier)
        finally:
            await relay.stop()
            await notifier.stop()
            await svc_pool.close()
            await other_pool.close()

    async def _lag(
        self, nc: NATS, svc_pool: asyncpg.Pool, other_pool: asyncpg.Pool, notifier: Notifier
    ) -> None:
        """Steady writes; latency from just before append to the other db's projection commit."""
        plan, r = self.plan, self.results
        header(
            f"end-to-end lag at {LAG_RATE} ev/s for {plan.lag_s:.0f}s "
            "(append+poke → relay → consumer commit in another db)"
        )
        started_at: dict[str, float] = {}
        latencies: list[float] = []

        async def after_commit(msgs: list[Msg]) -> None:
            now = time.perf_counter()
            for msg in msgs:
                began = started_at.pop(decode(msg.data).event_id, None)
                if began is not None:
                    latencies.append(now - began)

        runner = ConsumerRunner(
            projection=ProbeTally(),
            pool=other_pool,
            nc=nc,
            settings=self.settings,
            after_commit=after_commit,
        )
        await runner.start()
        total = round(LAG_RATE * plan.lag_s)
        writes: set[asyncio.Task[None]] = set()
        worst_slip = 0.0

        async def write(i: int) -> None:
            envelope = bench_event(f"lag-{i}", i)
            started_at[envelope.event_id] = time.perf_counter()
            async with svc_pool.acquire() as conn, conn.transaction():
                await append(conn, [envelope])
            notifier.poke()

        try:
            snap = self.cpu.snapshot()
            origin = time.perf_counter() + 0.1
            for i in range(total):
                deadline = origin + i / LAG_RATE
                delay = deadline - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                else:
                    worst_slip = max(worst_slip, -delay)
                task = asyncio.create_task(write(i))
                writes.add(task)
                task.add_done_callback(writes.discard)
            if writes:
                await asyncio.gather(*writes)
            written_in = time.perf_counter() - origin

            async def arrived() -> bool:
                return len(latencies) >= total

            with contextlib.suppress(TimeoutError):
                await wait_until(arrived, timeout=30, poll=0.01)
            note = self.cpu.since(snap)
        finally:
            await runner.stop()
        values = sorted(latencies)
        r["lag_events"] = len(values)
        r["lag_missing"] = total - len(values)
        r["lag_rate_eps"] = total / written_in
        r["lag_schedule_slip_ms"] = worst_slip * 1000
        r["lag_p50_ms"] = percentile(values, 50) * 1000
        r["lag_p95_ms"] = percentile(values, 95) * 1000
        r["lag_p99_ms"] = percentile(values, 99) * 1000
        r["lag_max_ms"] = (values[-1] if values else float("nan")) * 1000
        say(
            f"  ({total:,} written at {r['lag_rate_eps']:.0f}/s, worst schedule slip "
            f"{r['lag_schedule_slip_ms']:.1f} ms, {r['lag_missing']} not arrived; {note})"
        )
        row("lag p50", r["lag_p50_ms"], "ms")
        row("lag p95", r["lag_p95_ms"], "ms")
        row(
            "lag p99",
            r["lag_p99_ms"],
            "ms",
            target="≤200",
            ok=r["lag_p99_ms"] <= TARGETS["lag_p99_ms"],
        )
        row("lag max", r["lag_max_ms"], "ms")

    async def _delete_streams(self, nc: NATS) -> None:
        js = nc.jetstream()
        for name in self.streams:
            with contextlib.suppress(Exception):
                await js.delete_stream(name)

    # -- verdicts ------------------------------------------------------------------------

    def _met(self) -> dict[str, bool]:
        r = self.results
        return {
            "append_ratio_1w": r["append_ratio_1w"] >= TARGETS["append_ratio"],
            "append_ratio_8w": r["append_ratio_8w"] >= TARGETS["append_ratio"],
            "relay_ratio": r["relay_ratio"] >= TARGETS["relay_ratio"],
            "consume_ratio": r["consume_ratio"] >= TARGETS["consume_ratio"],
            "lag_p99_ms": r["lag_p99_ms"] <= TARGETS["lag_p99_ms"],
            "rebuild_eps": r["rebuild_eps"] >= TARGETS["rebuild_eps"],
        }

    def _summary(self) -> None:
        r = self.results
        header("summary (ours / reference)")
        for label, value, target in (
            ("append 1 writer / raw 1 conn", r["append_ratio_1w"], "≥0.7"),
            (f"append {WRITERS} writers / raw {WRITERS} conns", r["append_ratio_8w"], "≥0.7"),
            ("relay / raw publish", r["relay_ratio"], "≥0.5"),
            ("consume / raw fetch+ack", r["consume_ratio"], "≥0.5"),
            ("append 1w / peer 1 thread", r["peer_append_ratio"], ""),
            (f"append {WRITERS}w / peer {WRITERS} threads", r["peer_append_ratio_8w"], ""),
        ):
            say(f"  {label:<36}{value:>8.2f}  {target}")
        met = self._met()
        missed = [k for k, ok in met.items() if not ok]
        say(f"  targets missed: {', '.join(missed) if missed else 'none'}")


async def _quiet(_: Exception) -> None:
    """NATS client errors are not the benchmark's output."""


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        if value != value:  # NaN is not JSON
            return None
        return round(value, 3) if abs(value) < 100 else round(value, 1)
    return value


def quiet_logs() -> None:
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    structlog.configure(
        wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.events", description=__doc__)
    parser.add_argument(
        "--quick", action="store_true", help="3 s runs, 10,000 events, 10 s lag run (~1 min)"
    )
    args = parser.parse_args(argv)
    quiet_logs()
    plan = Plan.of(args.quick)
    started = time.perf_counter()
    with servers() as srv:
        result = asyncio.run(Bench(plan, srv).run())
    result["wall_s"] = round(time.perf_counter() - started, 1)
    say(f"  (whole run {result['wall_s']:.0f}s)")
    say(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
