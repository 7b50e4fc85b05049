"""Benchmark of the event backbone against the raw limits of the same servers.

Run on demand, not as a test::

    .venv/bin/python -m bench.events [--quick]

It starts a private PostgreSQL and NATS JetStream (or uses ``FUMIDAI_BENCH_DATABASE_URL``
and ``FUMIDAI_BENCH_NATS_URL`` when both are set), creates fresh databases and streams of
its own, prints a table as it goes, and prints one JSON object as its last line.

Each "ours" figure is measured next to its raw reference so that both see the same
machine: the fixed-duration write runs are cut into slices taken in turn (raw, ours,
peer, raw, ours, peer, ...), and the raw publish and fetch runs are split in two halves
taken just before and just after the relay and consumer runs. See ``bench/README.md``.
"""

import argparse
import asyncio
import contextlib
import itertools
import json
import logging
import math
import os
import shutil
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
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
from nats.js import JetStreamContext
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
LAG_WARMUP_S = 2.0  # written at the same rate first, not measured (the CHECKPOINT's aftermath)
RAW_PUBLISH_WINDOW = 4000  # outstanding PubAcks of the raw publisher (nats-py's default)
BACKLOG_CHUNK = 1000  # envelopes per append() call when pre-writing a backlog
WARMUP_OPS = 50  # untimed operations per writer before its first slice


@dataclass(frozen=True)
class Plan:
    """How long and how much: the full run or the quick one."""

    quick: bool
    duration_s: float  # each fixed-duration write figure, summed over its slices
    rounds: int  # slices per write figure, taken in turn with the others
    events: int  # backlog for publish, fetch, relay, consume, rebuild
    lag_s: float  # steady-state latency run

    @classmethod
    def of(cls, quick: bool) -> "Plan":
        if quick:
            return cls(quick=True, duration_s=3.0, rounds=3, events=10_000, lag_s=10.0)
        return cls(quick=False, duration_s=8.0, rounds=4, events=50_000, lag_s=60.0)


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
    say(f"  {label:<32}{value:>11,.1f} {unit:<6}{ratio_text}  {target:<9}{verdict:<5} {note}")


# -- CPU accounting ----------------------------------------------------------------------

Snapshot = tuple[float, float | None, float | None, float | None]
"""Wall clock, then CPU seconds of this process, PostgreSQL and NATS (None: unknown)."""


def tree_cpu_seconds(pid: int | None, children: bool = True) -> float:
    """CPU seconds of ``pid`` and, with ``children``, of its children dead or alive; NaN
    when it cannot be read.

    A server's backends come and go (one per connection): the ones that exited are in
    the parent's reaped-children times, the live ones are summed one by one. A backend
    that exited but is not reaped yet is missed, so read before closing connections.
    """
    if pid is None:
        return float("nan")
    try:
        proc = psutil.Process(pid)
        times = proc.cpu_times()
    except psutil.Error:
        return float("nan")
    total = float(times.user + times.system)
    if children:
        total += times.children_user + times.children_system
        with contextlib.suppress(psutil.Error):
            for child in proc.children(recursive=True):
                with contextlib.suppress(psutil.Error):
                    child_times = child.cpu_times()
                    total += child_times.user + child_times.system
    return total


class CpuMeter:
    """CPU used by this process, the PostgreSQL server and the NATS server."""

    def __init__(self, pg_pid: int | None, nats_pid: int | None) -> None:
        self._me = os.getpid()
        self._pg = pg_pid
        self._nats = nats_pid

    @staticmethod
    def _seconds(pid: int | None, children: bool) -> float | None:
        seconds = tree_cpu_seconds(pid, children)
        return None if math.isnan(seconds) else seconds

    def snapshot(self) -> Snapshot:
        return (
            time.perf_counter(),
            self._seconds(self._me, False),
            self._seconds(self._pg, True),
            self._seconds(self._nats, False),
        )

    def since(self, snap: Snapshot) -> str:
        usage = CpuUsage()
        usage.add(snap, self.snapshot())
        return usage.text()


@dataclass
class CpuUsage:
    """CPU seconds summed over one or more spans, shown as percent of their wall time."""

    wall: float = 0.0
    seconds: list[float | None] = field(default_factory=lambda: [0.0, 0.0, 0.0])

    def add(self, before: Snapshot, after: Snapshot) -> None:
        self.wall += after[0] - before[0]
        for i, (b, a) in enumerate(zip(before[1:], after[1:], strict=True)):
            current = self.seconds[i]
            self.seconds[i] = None if a is None or b is None or current is None else current + a - b

    def text(self) -> str:
        parts = [
            f"{name} {100 * used / max(self.wall, 1e-9):.0f}%"
            for name, used in zip(("py", "pg", "nats"), self.seconds, strict=True)
            if used is not None
        ]
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
    return urlunsplit(urlsplit(url)._replace(path=f"/{database}"))


async def admin(url: str, sql: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def checkpoint(admin_url: str) -> None:
    """Flush dirty pages now so that a checkpoint is less likely inside a timed run."""
    with contextlib.suppress(asyncpg.PostgresError):
        await admin(admin_url, "CHECKPOINT")


# -- helpers -----------------------------------------------------------------------------


async def wait_until(predicate: Callable[[], Awaitable[bool]], timeout: float, poll: float) -> None:
    deadline = time.perf_counter() + timeout
    while not await predicate():
        if time.perf_counter() > deadline:
            raise TimeoutError(f"gave up after {timeout:.0f}s")
        await asyncio.sleep(poll)


def machine_reference_ms(rounds: int = 5) -> float:
    """Milliseconds one core takes for a fixed pure-Python workload (best of ``rounds``).

    Benches run on shared machines whose speed differs from session to session (seen: three
    times). Printed beside a bench's figures, it tells whether two runs on different days can
    be compared at all; it is not a correction factor.
    """
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        total = 0
        for n in range(2_000_000):
            total += n & 7
        best = min(best, (time.perf_counter() - started) * 1000)
    return best


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), round(p / 100 * len(sorted_values) + 0.5)))
    return sorted_values[rank - 1]


def ratio(ours: float, theirs: float) -> float:
    return ours / theirs if theirs else float("nan")


# -- fixed-duration write loads, run in slices -------------------------------------------

Op = Callable[[int], Awaitable[None]]
"""One write; its argument is the writer's running operation number."""


@dataclass
class Load:
    """Writers doing one write per transaction; timed over slices, reported as a rate."""

    key: str
    label: str
    count: int = 0
    seconds: float = 0.0
    slice_rates: list[float] = field(default_factory=list)
    cpu: CpuUsage = field(default_factory=CpuUsage)

    @property
    def rate(self) -> float:
        return self.count / self.seconds if self.seconds else float("nan")

    def record(self, count: int, before: Snapshot, after: Snapshot) -> None:
        elapsed = after[0] - before[0]
        self.count += count
        self.seconds += elapsed
        self.slice_rates.append(count / elapsed)
        self.cpu.add(before, after)

    def spread(self) -> str:
        return f"slices {min(self.slice_rates):,.0f}–{max(self.slice_rates):,.0f}"

    async def open(self) -> None: ...

    async def slice(self, seconds: float, meter: CpuMeter) -> None: ...

    async def close(self) -> None: ...


class AsyncLoad(Load):
    """Coroutines on one asyncio loop, each writing on its own asyncpg connection."""

    def __init__(
        self, key: str, label: str, dsn: str, writers: int, op_for: Callable[..., Op]
    ) -> None:
        super().__init__(key, label)
        self._dsn, self._writers, self._op_for = dsn, writers, op_for
        self._conns: list[asyncpg.Connection] = []
        self._ops: list[Op] = []
        self._numbers: list[Iterator[int]] = []

    async def open(self) -> None:
        self._conns = [await asyncpg.connect(self._dsn) for _ in range(self._writers)]
        self._ops = [self._op_for(k, conn) for k, conn in enumerate(self._conns)]
        self._numbers = [itertools.count() for _ in self._ops]
        for op, numbers in zip(self._ops, self._numbers, strict=True):
            for _ in range(WARMUP_OPS):
                await op(next(numbers))

    async def slice(self, seconds: float, meter: CpuMeter) -> None:
        done = [0] * len(self._ops)
        before = meter.snapshot()
        end = before[0] + seconds

        async def loop(k: int) -> None:
            op, numbers, n = self._ops[k], self._numbers[k], 0
            while time.perf_counter() < end:
                await op(next(numbers))
                n += 1
            done[k] = n

        await asyncio.gather(*(loop(k) for k in range(len(self._ops))))
        self.record(sum(done), before, meter.snapshot())

    async def close(self) -> None:
        for conn in self._conns:
            await conn.close()


def raw_insert_op(_: int, conn: asyncpg.Connection) -> Op:
    async def op(_: int) -> None:
        await conn.execute("INSERT INTO raw_events (payload) VALUES ($1)", PAYLOAD)

    return op


def append_op(tag: str, *, tx: bool) -> Callable[[int, asyncpg.Connection], Op]:
    def op_for(k: int, conn: asyncpg.Connection) -> Op:
        async def op(i: int) -> None:
            envelope = bench_event(f"{tag}-{k}-{i}", i)
            if tx:
                async with conn.transaction():
                    await append(conn, [envelope])
            else:
                await append(conn, [envelope])  # autocommit: a standalone append

        return op

    return op_for


class PeerLoad(Load):
    """The eventsourcing package's PostgreSQL recorder: one stored event per call, threads.

    Its API is synchronous (psycopg 3), so each writer is a thread with a pooled
    connection; ``insert_events`` takes the table's EXCLUSIVE lock and NOTIFYs in the
    transaction, as the package does to keep its notification ids in commit order.
    """

    def __init__(self, key: str, label: str, dsn: str, writers: int, *, create: bool) -> None:
        super().__init__(key, label)
        self._dsn, self._writers, self._create = dsn, writers, create
        self._datastore: Any = None
        self._recorder: Any = None

    def _insert(self) -> None:
        from eventsourcing.persistence import StoredEvent

        self._recorder.insert_events(
            [
                StoredEvent(
                    originator_id=uuid.uuid4(),
                    originator_version=1,
                    topic=PEER_TOPIC,
                    state=PAYLOAD,
                )
            ]
        )

    def _run_threads(self, body: Callable[[int], None]) -> None:
        threads = [threading.Thread(target=body, args=(k,)) for k in range(self._writers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def _open(self) -> None:
        from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore

        parts = urlsplit(self._dsn)
        self._datastore = PostgresDatastore(
            dbname=unquote(parts.path.lstrip("/")),
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 5432,
            user=unquote(parts.username or "postgres"),
            password=unquote(parts.password or ""),
            pool_size=self._writers,
        )
        self._recorder = PostgresApplicationRecorder(self._datastore)
        if self._create:
            self._recorder.create_table()

        def warm(_: int) -> None:
            for _ in range(WARMUP_OPS):
                self._insert()

        self._run_threads(warm)

    def _slice(self, seconds: float, meter: CpuMeter) -> None:
        done = [0] * self._writers
        ready = threading.Barrier(self._writers + 1)
        window: dict[str, float] = {}

        def body(k: int) -> None:
            ready.wait()
            end, n = window["end"], 0
            while time.perf_counter() < end:
                self._insert()
                n += 1
            done[k] = n

        threads = [threading.Thread(target=body, args=(k,)) for k in range(self._writers)]
        for thread in threads:
            thread.start()
        before = meter.snapshot()
        window["end"] = before[0] + seconds
        ready.wait()
        for thread in threads:
            thread.join()
        self.record(sum(done), before, meter.snapshot())

    async def open(self) -> None:
        await asyncio.to_thread(self._open)

    async def slice(self, seconds: float, meter: CpuMeter) -> None:
        await asyncio.to_thread(self._slice, seconds, meter)

    async def close(self) -> None:
        if self._datastore is not None:
            await asyncio.to_thread(self._datastore.close)


# -- raw JetStream -----------------------------------------------------------------------


async def raw_publish(js: JetStreamContext, root: str, first: int, count: int) -> float:
    """Async-publish ``count`` messages like ours with a window of PubAcks; return seconds."""
    start = time.perf_counter()
    futures = [
        await js.publish_async(
            f"{root}.probe.998.probe.raw-{i}.ProbeRecorded",
            PAYLOAD,
            wait_stall=30.0,
            headers={"Nats-Msg-Id": str(uuid.uuid4()), "Fumidai-Type": "ProbeRecorded.v1"},
        )
        for i in range(first, first + count)
    ]
    await asyncio.gather(*futures)
    return time.perf_counter() - start


class RawFetcher:
    """A durable pull consumer that fetches a batch and acks each message."""

    def __init__(self, nc: NATS, settings: EventSettings) -> None:
        self._nc, self._settings = nc, settings
        self._sub: JetStreamContext.PullSubscription | None = None
        self.acked = 0

    async def open(self) -> None:
        settings = self._settings
        self._sub = await self._nc.jetstream().pull_subscribe(
            f"{settings.subject_root}.probe.>",
            durable="raw_fetch_ack",
            stream=settings.stream_name("probe"),
            config=ConsumerConfig(
                deliver_policy=DeliverPolicy.ALL,
                ack_policy=AckPolicy.EXPLICIT,
                max_ack_pending=settings.consumer_max_ack_pending,
            ),
        )

    async def run(self, until: int) -> float:
        """Fetch and ack until ``until`` messages in all are acked; return seconds."""
        assert self._sub is not None
        start = time.perf_counter()
        while self.acked < until:
            try:
                msgs = await self._sub.fetch(self._settings.consumer_batch, timeout=2.0)
            except (TimeoutError, NatsTimeoutError):
                continue
            for msg in msgs:
                await msg.ack()
            self.acked += len(msgs)
        await self._nc.flush()
        return time.perf_counter() - start

    async def close(self) -> None:
        if self._sub is not None:
            await self._sub.unsubscribe()


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
        self.slices: dict[str, list[float]] = {}

    async def database(self, role: str, *, events: bool = False, tally: bool = False) -> str:
        name = f"bench_{self.tag}_{role}"
        await admin(self.srv.postgres_url, f'CREATE DATABASE "{name}"')
        self.databases.append(name)
        dsn = dsn_for(self.srv.postgres_url, name)
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
            f"{plan.events:,} events, {plan.duration_s:.0f}s write runs in {plan.rounds} slices, "
            f"{plan.lag_s:.0f}s at {LAG_RATE}/s, payload {len(PAYLOAD)} B, "
            f"{psutil.cpu_count()} CPUs"
        )
        say(f"  postgres {self.srv.postgres_url}  nats {self.srv.nats_url}")
        say(f"  {'':<32}{'value':>11} {'unit':<6}{'ratio':>7}  {'target':<9}")
        raw_dsn = await self.database("raw")
        append_dsn = await self.database("append", events=True)
        svc_dsn = await self.database("svc", events=True)
        other_dsn = await self.database("other", events=True, tally=True)
        peer_dsn = await self.database("peer")
        await admin(
            raw_dsn, "CREATE TABLE raw_events (id bigserial PRIMARY KEY, payload bytea NOT NULL)"
        )

        nc = await nats.connect(self.srv.nats_url, max_reconnect_attempts=-1, error_cb=_quiet)
        try:
            await self._writes(raw_dsn, append_dsn, peer_dsn)
            await self._backbone(nc, svc_dsn, other_dsn)
        finally:
            js = nc.jetstream()
            for name in self.streams:
                with contextlib.suppress(Exception):
                    await js.delete_stream(name)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(nc.close(), 5.0)
            if not self.srv.embedded:
                for name in self.databases:
                    with contextlib.suppress(Exception):
                        await admin(
                            self.srv.postgres_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
                        )

        r["append_ratio_1w"] = ratio(r["append_1w_eps"], r["raw_insert_1c_tps"])
        r["append_ratio_8w"] = ratio(r["append_8w_eps"], r["raw_insert_8c_tps"])
        r["append_tx_ratio_1w"] = ratio(r["append_1w_tx_eps"], r["raw_insert_1c_tps"])
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
            "slice_rates": {k: [round(v) for v in rates] for k, rates in self.slices.items()},
        }

    # -- PostgreSQL writes ---------------------------------------------------------------

    async def _writes(self, raw_dsn: str, append_dsn: str, peer_dsn: str) -> None:
        plan, r = self.plan, self.results
        header(
            f"PostgreSQL writes, one event (row) per transaction; {plan.duration_s:.0f}s each, "
            f"in {plan.rounds} slices taken in turn"
        )
        n = WRITERS
        loads: list[Load] = [
            AsyncLoad("raw_insert_1c_tps", "raw INSERT, 1 conn", raw_dsn, 1, raw_insert_op),
            AsyncLoad(
                "append_1w_eps",
                "append(), 1 writer, autocommit",
                append_dsn,
                1,
                append_op("a1", tx=False),
            ),
            AsyncLoad(
                "append_1w_tx_eps",
                "append(), 1 writer, in tx",
                append_dsn,
                1,
                append_op("a1tx", tx=True),
            ),
            PeerLoad(
                "peer_append_1w_eps", "peer insert_events, 1 thread", peer_dsn, 1, create=True
            ),
            AsyncLoad("raw_insert_8c_tps", f"raw INSERT, {n} conns", raw_dsn, n, raw_insert_op),
            AsyncLoad(
                "append_8w_eps", f"append(), {n} writers", append_dsn, n, append_op("a8", tx=False)
            ),
            PeerLoad(
                "peer_append_8w_eps", f"peer insert_events, {n} threads", peer_dsn, n, create=False
            ),
        ]
        try:
            for load in loads:
                await load.open()
            for _ in range(plan.rounds):
                await checkpoint(self.srv.postgres_url)
                for load in loads:
                    await load.slice(plan.duration_s / plan.rounds, self.cpu)
        finally:
            for load in loads:
                await load.close()
        for load in loads:
            r[load.key] = load.rate
            self.slices[load.key] = load.slice_rates
        by_key = {load.key: load for load in loads}
        references = {
            "append_1w_eps": "raw_insert_1c_tps",
            "append_1w_tx_eps": "raw_insert_1c_tps",
            "append_8w_eps": "raw_insert_8c_tps",
        }
        for key in (
            "raw_insert_1c_tps",
            "raw_insert_8c_tps",
            "append_1w_eps",
            "append_1w_tx_eps",
            "append_8w_eps",
        ):
            load = by_key[key]
            note = f"{load.spread()}; {load.cpu.text()}"
            if key.startswith("raw_"):
                row(load.label, load.rate, "tx/s", note=note)
                continue
            share = ratio(load.rate, r[references[key]])
            graded = key != "append_1w_tx_eps"
            row(
                load.label,
                load.rate,
                "ev/s",
                ratio=share,
                target="≥0.7 raw" if graded else "(vs raw)",
                ok=share >= TARGETS["append_ratio"] if graded else None,
                note=note,
            )
        header("peer: eventsourcing PostgresApplicationRecorder (psycopg 3, threads)")
        for key, ours in (
            ("peer_append_1w_eps", "append_1w_eps"),
            ("peer_append_8w_eps", "append_8w_eps"),
        ):
            load = by_key[key]
            row(
                load.label,
                load.rate,
                "ev/s",
                ratio=ratio(r[ours], load.rate),
                target="ours/peer",
                note=f"{load.spread()}; {load.cpu.text()}",
            )

    # -- relay, consume, rebuild, lag ----------------------------------------------------

    async def _backbone(self, nc: NATS, svc_dsn: str, other_dsn: str) -> None:
        plan, r, settings = self.plan, self.results, self.settings
        n = plan.events
        half = n // 2
        js = nc.jetstream()
        await ensure_streams(js, settings)
        self.streams += [c.name for c in stream_configs(settings) if c.name is not None]
        raw_stream = self.raw_settings.stream_name("probe")
        await js.add_stream(
            next(c for c in stream_configs(self.raw_settings) if c.name == raw_stream)
        )
        self.streams.append(raw_stream)
        raw_js = nc.jetstream(publish_async_max_pending=RAW_PUBLISH_WINDOW)
        raw_root = self.raw_settings.subject_root

        svc_pool = await asyncpg.create_pool(svc_dsn, min_size=2, max_size=16)
        other_pool = await asyncpg.create_pool(other_dsn, min_size=2, max_size=8)
        notifier = Notifier(svc_pool, local_leads=lambda: relay.is_leader)
        relay = Relay(
            service="bench",
            dsn=svc_dsn,
            pool=svc_pool,
            nc=nc,
            settings=settings,
            wake=notifier.subscribe_local(),
        )
        fetcher = RawFetcher(nc, self.raw_settings)
        try:
            header(
                "publish: raw JetStream (fresh stream configured like ours) vs our relay; "
                "raw in two halves around the relay"
            )
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
            say(
                f"  (relay backlog of {n:,} events written in bulk in "
                f"{time.perf_counter() - started:.1f}s)"
            )
            await checkpoint(self.srv.postgres_url)
            raw_cpu = CpuUsage()
            snap = self.cpu.snapshot()
            raw_seconds = await raw_publish(raw_js, raw_root, 0, half)
            raw_cpu.add(snap, self.cpu.snapshot())

            notifier.start()
            snap = self.cpu.snapshot()
            started = time.perf_counter()
            relay.start()

            async def relayed() -> bool:
                return relay.published >= n

            await wait_until(relayed, timeout=600, poll=0.005)
            r["relay_eps"] = n / (time.perf_counter() - started)
            relay_cpu = self.cpu.since(snap)

            snap = self.cpu.snapshot()
            raw_seconds += await raw_publish(raw_js, raw_root, half, n - half)
            raw_cpu.add(snap, self.cpu.snapshot())
            r["raw_publish_mps"] = n / raw_seconds
            for stream in (settings.stream_name("probe"), raw_stream):
                held = (await js.stream_info(stream)).state.messages
                assert held == n, f"{stream} holds {held}, not {n}"
            r["relay_ratio"] = ratio(r["relay_eps"], r["raw_publish_mps"])
            row(
                f"raw publish_async, window {RAW_PUBLISH_WINDOW}",
                r["raw_publish_mps"],
                "msg/s",
                note=raw_cpu.text(),
            )
            row(
                f"relay backlog (batch {settings.relay_batch})",
                r["relay_eps"],
                "ev/s",
                ratio=r["relay_ratio"],
                target="≥0.5 raw",
                ok=r["relay_ratio"] >= TARGETS["relay_ratio"],
                note=relay_cpu,
            )

            header(
                "consume: raw fetch+ack vs our ConsumerRunner(ProbeTally) in another database; "
                "raw in two halves around it"
            )
            await checkpoint(self.srv.postgres_url)
            await fetcher.open()
            raw_cpu = CpuUsage()
            snap = self.cpu.snapshot()
            raw_seconds = await fetcher.run(half)
            raw_cpu.add(snap, self.cpu.snapshot())

            runner = ConsumerRunner(
                projection=ProbeTally(), pool=other_pool, nc=nc, settings=settings
            )
            snap = self.cpu.snapshot()
            started = time.perf_counter()
            await runner.start()

            async def consumed() -> bool:
                return runner.applied >= n

            try:
                await wait_until(consumed, timeout=900, poll=0.005)
                r["consume_eps"] = n / (time.perf_counter() - started)
                consume_cpu = self.cpu.since(snap)
            finally:
                await runner.stop()

            snap = self.cpu.snapshot()
            raw_seconds += await fetcher.run(n)
            raw_cpu.add(snap, self.cpu.snapshot())
            r["raw_fetch_ack_mps"] = fetcher.acked / raw_seconds
            tallied = await other_pool.fetchval("SELECT count(*) FROM probe_tally")
            assert tallied == n, f"tally holds {tallied}, not {n}"
            r["consume_ratio"] = ratio(r["consume_eps"], r["raw_fetch_ack_mps"])
            row(
                f"raw pull fetch {settings.consumer_batch} + ack",
                r["raw_fetch_ack_mps"],
                "msg/s",
                note=raw_cpu.text(),
            )
            row(
                f"consume ProbeTally (batch {settings.consumer_batch})",
                r["consume_eps"],
                "ev/s",
                ratio=r["consume_ratio"],
                target="≥0.5 raw",
                ok=r["consume_ratio"] >= TARGETS["consume_ratio"],
                note=consume_cpu,
            )

            header("rebuild ProbeTally from the stream (swap=False), beside the live one")
            await checkpoint(self.srv.postgres_url)
            snap = self.cpu.snapshot()
            started = time.perf_counter()
            report = await rebuild(other_pool, nc, ProbeTally(), settings, swap=False)
            r["rebuild_eps"] = report.events / (time.perf_counter() - started)
            r["rebuild_events"] = report.events
            r["rebuild_differences"] = sum(report.differences.values())
            row(
                "rebuild",
                r["rebuild_eps"],
                "ev/s",
                target="≥10000",
                ok=r["rebuild_eps"] >= TARGETS["rebuild_eps"],
                note=f"{report.events:,} events, {r['rebuild_differences']} differences; "
                + self.cpu.since(snap),
            )

            await checkpoint(self.srv.postgres_url)
            await self._lag(nc, svc_pool, other_pool, notifier)
        finally:
            with contextlib.suppress(Exception):
                await fetcher.close()
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
            f"end-to-end lag at {LAG_RATE} ev/s for {plan.lag_s:.0f}s: append in its own tx + "
            "poke → relay → consumer commit in another database"
        )
        started_at: dict[str, float] = {}
        latencies: list[float] = []
        by_second: dict[int, float] = {}  # worst latency of the events started in each second

        async def after_commit(msgs: list[Msg]) -> None:
            now = time.perf_counter()
            for msg in msgs:
                began = started_at.pop(decode(msg.data).event_id, None)
                if began is not None:
                    latencies.append(now - began)
                    second = int(began - measured_from)
                    by_second[second] = max(by_second.get(second, 0.0), now - began)

        runner = ConsumerRunner(
            projection=ProbeTally(),
            pool=other_pool,
            nc=nc,
            settings=self.settings,
            after_commit=after_commit,
        )
        await runner.start()
        warmup = round(LAG_RATE * LAG_WARMUP_S)
        total = round(LAG_RATE * plan.lag_s)
        writes: set[asyncio.Task[None]] = set()
        worst_slip = 0.0
        origin = time.perf_counter() + 0.1
        measured_from = origin + warmup / LAG_RATE

        async def write(i: int) -> None:
            envelope = bench_event(f"lag-{i}", i)
            if i >= warmup:
                started_at[envelope.event_id] = time.perf_counter()
            async with svc_pool.acquire() as conn, conn.transaction():
                await append(conn, [envelope])
            notifier.poke()

        try:
            snap = self.cpu.snapshot()
            for i in range(warmup + total):
                # Absolute deadlines: a late wake-up is caught up, never accumulated.
                delay = origin + i / LAG_RATE - time.perf_counter()
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
        r["lag_rate_eps"] = (warmup + total) / written_in
        r["lag_warmup_s"] = LAG_WARMUP_S
        r["lag_seconds_over_target"] = sum(
            1 for worst in by_second.values() if worst * 1000 > TARGETS["lag_p99_ms"]
        )
        r["lag_schedule_slip_ms"] = worst_slip * 1000
        r["lag_p50_ms"] = percentile(values, 50) * 1000
        r["lag_p95_ms"] = percentile(values, 95) * 1000
        r["lag_p99_ms"] = percentile(values, 99) * 1000
        r["lag_max_ms"] = (values[-1] if values else float("nan")) * 1000
        say(
            f"  ({total:,} measured after {warmup:,} of warm-up, written at "
            f"{r['lag_rate_eps']:.0f}/s, worst schedule slip {r['lag_schedule_slip_ms']:.1f} ms, "
            f"{r['lag_missing']} not arrived, {r['lag_seconds_over_target']} of "
            f"{len(by_second)} seconds had an event over {TARGETS['lag_p99_ms']:.0f} ms; {note})"
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
        missed = [k for k, ok in self._met().items() if not ok]
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
    """Only warnings and errors, on stderr: the table and the JSON line own stdout."""
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    structlog.configure(
        wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.events",
        description="Benchmark the event backbone against raw PostgreSQL and JetStream.",
    )
    parser.add_argument(
        "--quick", action="store_true", help="3 s write runs, 10,000 events, 10 s lag run"
    )
    args = parser.parse_args(argv)
    quiet_logs()
    plan = Plan.of(args.quick)
    started = time.perf_counter()
    with servers() as srv:
        result = asyncio.run(Bench(plan, srv).run())
    result["wall_s"] = round(time.perf_counter() - started, 1)
    say(f"  (whole run {result['wall_s']:.0f}s)")
    result["machine_reference_ms"] = round(machine_reference_ms(), 1)
    say(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
