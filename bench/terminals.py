"""Benchmark of terminals: connection decisions and 「強制切断」 through the real service.

Run on demand, not as a test::

    .venv/bin/python -m bench.terminals [--quick]

It starts a private PostgreSQL and NATS JetStream (or uses ``FUMIDAI_BENCH_DATABASE_URL``
and ``FUMIDAI_BENCH_NATS_URL`` when both are set), runs terminals as its own process
(``python -m services.terminals``, as ``./fumidai up`` does) on a fresh database, plays
identity by publishing its events, and measures:

* decisions (SPEC C1): 50 agents, each with its own credential and keep-alive connection,
  ask ``POST /agent/v1/decisions`` back to back for a fixed time (every answer is a
  recorded ``ConnectionDecided`` event): the most decisions per second. Then the same 50
  agents ask on a schedule adding up to 1,500/s: the latency at the target rate, counted
  from when each request was due. Beside them, the same decision as a pure in-process
  call, and behind a bare Litestar endpoint on the same uvicorn with the same client (no
  credential, no database, no event): what the HTTP stack alone costs on this machine.
* force close (SPEC C4): 500 agents (the reference agent, ``fumidai_cli/reference_agent``) each
  hold a live session and their control-channel poll; an admin force-closes half of the
  sessions at a steady 10/s (already far more than admins do: the headline figure) and the
  other half at 50/s (a burst, to see where it bends). The figure is from the admin's
  request to the agent's acknowledgement (the answer to its ack).

The load generator is one Python process beside the service's, on the same machine: the
decision clients speak raw HTTP/1.1 on asyncio streams so that they cost little CPU. The
last line of stdout is one JSON object.
"""

import argparse
import asyncio
import contextlib
import json
import os
import random
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import httpx
import msgspec
import nats
import psutil
import uvicorn
from litestar import Litestar, get, post
from litestar.params import JSONBody
from nats.aio.client import Client as NATS

from bench.events import (
    Servers,
    admin,
    checkpoint,
    dsn_for,
    header,
    machine_reference_ms,
    percentile,
    quiet_logs,
    row,
    say,
    servers,
    tree_cpu_seconds,
    wait_until,
)
from bench.raw_http import RawConnection
from fumidai_cli.reference_agent.client import AgentClient
from fumidai_cli.reference_agent.runner import JumpHostAgent
from libs.devservers.ports import free_port
from libs.events.catalogue.identity import FacilityRegistered
from libs.events.catalogue.users import TerminalAssigned, UserCreated, UserProfile
from libs.events.codec import encode
from libs.events.envelope import Actor, Envelope, envelop
from libs.events.ids import new_id
from libs.events.settings import EventSettings
from libs.events.subjects import subject_of
from libs.runtime.internal_auth import issue
from libs.runtime.serve import SERVER
from libs.runtime.token_keys import OPERATOR, SigningKey
from services.terminals.contract import AckOut, AuthorizeRequest, DecisionOut
from services.terminals.domain.decision import AccessProfile, Account, decide, normalize_mac
from services.terminals.messages import message

ROOT = Path(__file__).resolve().parents[1]
TARGETS: dict[str, float] = {
    "decisions_per_s": 1500,
    "decision_p99_ms": 15,
    "force_close_p99_ms": 1000,
}
CODE = "998"
DOMAIN = "bench.example.jp"
AGENTS = 50
USERS_PER_AGENT = 20
WRONG_MAC_SHARE = 0.1  # a tenth of the attempts come from an unregistered MAC: refused
MAC = "00:11:22:33:44:55"
IDENTITY = Actor(id="bench-identity", role="system")
OPERATOR_KEY = SigningKey.generate(OPERATOR)


@dataclass(frozen=True)
class Plan:
    seconds: float  # each decision run, after its warm-up
    warmup: float
    connected: int  # agents holding a session for the force-close run
    close_rate: float  # force closes per second, steady: far above what admins do
    burst_rate: float  # force closes per second, to see where it bends

    @classmethod
    def of(cls, quick: bool) -> "Plan":
        if quick:
            return cls(seconds=4.0, warmup=1.0, connected=500, close_rate=10.0, burst_rate=50.0)
        return cls(seconds=15.0, warmup=2.0, connected=500, close_rate=10.0, burst_rate=50.0)


# -- processes ---------------------------------------------------------------------------


@dataclass
class Process:
    url: str
    pid: int

    def cpu_seconds(self) -> float:
        with contextlib.suppress(psutil.Error):
            times = psutil.Process(self.pid).cpu_times()
            return float(times.user + times.system)
        return float("nan")


@contextlib.contextmanager
def child(args: list[str], env: dict[str, str], port: int, name: str) -> Iterator[Process]:
    """A child process serving HTTP on ``port``; yields once ``/health/live`` answers."""
    log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in the finally below
    process = subprocess.Popen(
        [sys.executable, *args], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"{name} exited:\n{log.read().decode(errors='replace')}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/health/live", timeout=1).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name} did not start")
            time.sleep(0.2)
        yield Process(url, process.pid)
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def terminals_process(srv: Servers, database: str, settings: EventSettings) -> Any:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("FUMIDAI_")}
    env.update(
        {
            "FUMIDAI_TERMINALS_DATABASE_URL": dsn_for(srv.postgres_url, database),
            "FUMIDAI_NATS_URL": srv.nats_url,
            "FUMIDAI_TERMINALS_PORT": str(port),
            "FUMIDAI_TERMINALS_POOL_SIZE": "20",
            "FUMIDAI_TERMINALS_TOKEN_TRUSTED_KEYS": OPERATOR_KEY.trusted().text(),
            "FUMIDAI_LOG_LEVEL": "warning",
            "FUMIDAI_EVENTS_SUBJECT_ROOT": settings.subject_root,
            "FUMIDAI_EVENTS_STREAM_PREFIX": settings.stream_prefix,
            "FUMIDAI_EVENTS_PROVISION_ALL_STREAMS": "true",  # a service alone
        }
    )
    return child(["-m", "services.terminals"], env, port, "terminals")


def bare_process() -> Any:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("FUMIDAI_")}
    return child(["-m", "bench.terminals", "--bare-server", str(port)], env, port, "bare")


# -- the same decision, without the service ----------------------------------------------

BARE_ACCOUNT = Account(
    profile=AccessProfile(
        valid_from=date(2024, 12, 1),
        valid_until=date(2030, 3, 31),
        macs=frozenset({MAC}),
        hours=None,
        terminals=frozenset({"bare-terminal"}),
    )
)
TOKYO = ZoneInfo("Asia/Tokyo")


def bare_decision(data: AuthorizeRequest) -> DecisionOut:
    """What the service computes for one request, minus credential, projection and event."""
    verdict = decide(
        terminal="bare-terminal",
        account=BARE_ACCOUNT,
        mac=normalize_mac(data.mac),
        at=datetime.now(UTC),
        zone=TOKYO,
    )
    reason = verdict.reason
    return DecisionOut(
        decision_id=new_id(),
        allowed=verdict.allowed,
        reason=reason,
        message=message(reason) if reason else None,
    )


def bare_app() -> Litestar:
    @post("/agent/v1/decisions", status_code=200, sync_to_thread=False)
    def decide_route(data: JSONBody[AuthorizeRequest]) -> DecisionOut:
        return bare_decision(data)

    @get("/health/live", sync_to_thread=False)
    def live() -> dict[str, str]:
        return {"status": "ok"}

    return Litestar([decide_route, live], openapi_config=None)


def serve_bare(port: int) -> None:
    uvicorn.run(
        bare_app(),
        host="127.0.0.1",
        port=port,
        log_config=None,
        access_log=False,
        lifespan="on",
        **SERVER,  # the same server as the services'
    )


def pure_rate(seconds: float) -> tuple[float, list[float]]:
    """Decisions per second of ``bare_decision`` called in a loop, and per-call latencies."""
    requests = [
        AuthorizeRequest(account="998-u@x", mac=MAC if i % 10 else "00-11-22-33-44-66")
        for i in range(1000)
    ]
    latencies: list[float] = []
    count = 0
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        for request in requests[:100]:
            began = time.perf_counter()
            bare_decision(request)
            latencies.append(time.perf_counter() - began)
            count += 1
    return count / seconds, sorted(latencies)


# -- a raw HTTP/1.1 client ---------------------------------------------------------------


@dataclass
class Run:
    """One timed decision run."""

    done: int = 0
    refused: int = 0
    errors: int = 0
    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.done / self.seconds if self.seconds else float("nan")

    def p(self, q: float) -> float:
        return percentile(sorted(self.latencies), q) * 1000


async def decision_run(
    url: str,
    tokens: list[str],
    users: list[list[str]],
    plan: Plan,
    seed: int,
    rate: float | None = None,
) -> Run:
    """Every agent asks back to back (``rate`` None: the most the server answers), or on a
    fixed schedule adding up to ``rate`` per second. On a schedule, latency counts from
    when the request was due, so a server that falls behind shows it (no coordinated
    omission). Only requests due after the warm-up are counted."""
    connections = [RawConnection(url, token) for token in tokens]
    for connection in connections:
        await connection.open()
    run = Run()
    started = time.perf_counter() + 0.05
    counted_from = started + plan.warmup
    end = counted_from + plan.seconds
    decoder = msgspec.json.Decoder(DecisionOut)
    interval = len(connections) / rate if rate else 0.0

    async def agent(k: int) -> None:
        rng = random.Random(seed + k)
        mine, i = users[k], 0
        due = started + interval * k / len(connections)  # staggered, not in step
        while (due if rate else time.perf_counter()) < end:
            if rate:
                await asyncio.sleep(max(0.0, due - time.perf_counter()))
            else:
                due = time.perf_counter()
            mac = MAC if rng.random() >= WRONG_MAC_SHARE else "00-11-22-33-44-66"
            body = msgspec.json.encode(AuthorizeRequest(account=mine[i % len(mine)], mac=mac))
            i += 1
            status, raw = await connections[k].post("/agent/v1/decisions", body)
            answered = time.perf_counter()
            counted, asked = due >= counted_from, due
            due += interval
            if not counted:
                continue
            if status != 200:
                run.errors += 1
                continue
            run.done += 1
            run.latencies.append(answered - asked)
            if not decoder.decode(raw).allowed:
                run.refused += 1

    await asyncio.gather(*(agent(k) for k in range(len(connections))))
    run.seconds = plan.seconds
    for connection in connections:
        await connection.close()
    return run


# -- seeding -----------------------------------------------------------------------------


def account(n: int) -> str:
    return f"{CODE}-bench-user{n:05d}@{DOMAIN}"


def user_events(n: int, terminal_id: str) -> list[Envelope]:
    user_id = new_id()
    profile = UserProfile(
        family_name="bench",
        given_name=f"user{n}",
        email=f"user{n}@{DOMAIN}",
        valid_from=date(2024, 12, 1),
        valid_until=date(2030, 3, 31),
        macs=(MAC,),
        hours=None,
    )
    return [
        envelop(
            UserCreated(account=account(n), profile=profile),
            facility=CODE, aggregate_id=user_id, version=1, actor=IDENTITY,
        ),
        envelop(
            TerminalAssigned(account=account(n), terminal_id=terminal_id),
            facility=CODE, aggregate_id=user_id, version=2, actor=IDENTITY,
        ),
    ]  # fmt: skip


async def publish(nc: NATS, settings: EventSettings, envelopes: list[Envelope]) -> None:
    js = nc.jetstream(publish_async_max_pending=4000)
    for env in envelopes:
        await js.publish_async(
            subject_of(settings.subject_root, env),
            encode(env),
            headers={"Nats-Msg-Id": env.event_id},
        )
    await js.publish_async_completed()


class AdminApi:
    """The admin API as an operator, through the gateway's kind of signed token."""

    def __init__(self, url: str) -> None:
        self.http = httpx.AsyncClient(base_url=url, timeout=30)

    def headers(self) -> dict[str, str]:
        token = issue(
            OPERATOR_KEY, audience="terminals", sub="bench-operator", role="operator", facility="*"
        )
        return {"Authorization": f"Bearer {token}"}

    async def call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = await self.http.request(
            method, f"/internal/v1/facilities/{CODE}{path}", headers=self.headers(), **kwargs
        )
        if response.status_code >= 300:
            raise RuntimeError(f"{path}: {response.status_code} {response.text}")
        return response.json()

    async def terminals(self, prefix: str, count: int) -> list[tuple[str, str]]:
        """``count`` new terminals with a credential each: (terminal id, agent token)."""
        made: list[tuple[str, str]] = []
        gate = asyncio.Semaphore(8)

        async def one(i: int) -> None:
            async with gate:
                created = await self.call("POST", "/terminals", json={"name": f"{prefix}{i:04d}"})
                terminal_id = created["terminal"]["terminal_id"]
                issued = await self.call("POST", f"/terminals/{terminal_id}/credentials")
                made.append((terminal_id, issued["token"]))

        await asyncio.gather(*(one(i) for i in range(count)))
        return made


async def seeded(pool: asyncpg.Pool, users: int) -> None:
    async def applied() -> bool:
        count = await pool.fetchval("SELECT count(*) FROM access_users")
        return bool(count >= users)

    await wait_until(applied, timeout=120, poll=0.2)


# -- force close -------------------------------------------------------------------------


class TimedClient(AgentClient):
    """The reference agent's client, noting when each acknowledgement was answered."""

    acked_at: dict[int, float]

    async def ack(self, seq: int) -> AckOut:
        answer = await super().ack(seq)
        self.acked_at[seq] = time.perf_counter()
        return answer


@contextlib.asynccontextmanager
async def connected_agents(
    url: str, credentials: list[tuple[str, str]], users: list[str]
) -> AsyncIterator[list[tuple[JumpHostAgent, TimedClient, str]]]:
    """Reference agents, each holding one live session and its control-channel poll."""
    agents: list[tuple[JumpHostAgent, TimedClient, str]] = []
    gate = asyncio.Semaphore(20)

    async def one(k: int) -> None:
        async with gate:
            client = TimedClient(url, credentials[k][1], timeout=30)
            client.acked_at = {}
            agent = JumpHostAgent(client, poll_wait=20)
            await agent.start()
            _, session = await agent.connect(users[k], MAC)
            assert session is not None, "the bench user must be allowed"
            agents.append((agent, client, session.session_id))

    try:
        await asyncio.gather(*(one(k) for k in range(len(credentials))))
        yield agents
    finally:
        for agent, client, _ in agents:
            await agent.stop()
            await client.aclose()


async def force_close_run(
    api: AdminApi, agents: list[tuple[JumpHostAgent, TimedClient, str]], rate: float
) -> tuple[list[float], list[float], int]:
    """Force-close every session at ``rate``; return the request-to-ack latencies, the
    admin requests' own latencies and how many acknowledgements never came."""
    asked: dict[str, float] = {}
    answered: list[float] = []

    async def close(session_id: str) -> None:
        began = time.perf_counter()
        asked[session_id] = began
        await api.call("POST", f"/sessions/{session_id}/force-close", json={"reason": "bench"})
        answered.append(time.perf_counter() - began)

    tasks = []
    origin = time.perf_counter()
    for i, (_, _, session_id) in enumerate(agents):
        delay = origin + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(close(session_id)))
    await asyncio.gather(*tasks)

    async def all_acked() -> bool:
        return all(client.acked_at for _, client, _ in agents)

    with contextlib.suppress(TimeoutError):
        await wait_until(all_acked, timeout=30, poll=0.05)
    latencies = [
        min(client.acked_at.values()) - asked[session_id]
        for _, client, session_id in agents
        if client.acked_at
    ]
    missing = sum(1 for _, client, _ in agents if not client.acked_at)
    return sorted(latencies), sorted(answered), missing


# -- the run -----------------------------------------------------------------------------


async def metric_mean(url: str, name: str) -> float:
    """The mean of a Prometheus histogram the service exports."""
    async with httpx.AsyncClient() as client:
        text = (await client.get(f"{url}/metrics", timeout=5)).text
    values = {
        line.split()[0]: float(line.split()[1])
        for line in text.splitlines()
        if line.startswith(name) and not line.startswith("#")
    }
    count = values.get(f"{name}_count", 0.0)
    return values.get(f"{name}_sum", 0.0) / count if count else float("nan")


async def run(plan: Plan, srv: Servers) -> dict[str, Any]:
    tag = secrets.token_hex(4)
    settings = EventSettings(
        subject_root=f"b{tag}", stream_prefix=f"B{tag.upper()}", provision_all_streams=True
    )
    database = f"bench_{tag}_terminals"
    await admin(srv.postgres_url, f'CREATE DATABASE "{database}"')
    results: dict[str, Any] = {
        "machine_cpus": os.cpu_count(),
        "load_average_before": os.getloadavg()[0],
    }
    nc = await nats.connect(srv.nats_url)
    pool = await asyncpg.create_pool(dsn_for(srv.postgres_url, database), min_size=1, max_size=2)
    try:
        with terminals_process(srv, database, settings) as service:
            await wait_until(_ready(service.url), timeout=60, poll=0.2)
            await _measure(plan, srv, service, settings, nc, pool, results)
    finally:
        await pool.close()
        js = nc.jetstream()
        for context in ("identity", "terminals"):
            with contextlib.suppress(Exception):
                await js.delete_stream(settings.stream_name(context))
        await nc.close()
        with contextlib.suppress(Exception):
            await admin(srv.postgres_url, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    return results


def _ready(url: str) -> Any:
    async def ready() -> bool:
        with contextlib.suppress(httpx.HTTPError):
            async with httpx.AsyncClient() as client:
                return (await client.get(f"{url}/health/ready", timeout=1)).status_code == 200
        return False

    return ready


async def _measure(
    plan: Plan,
    srv: Servers,
    service: Process,
    settings: EventSettings,
    nc: NATS,
    pool: asyncpg.Pool,
    r: dict[str, Any],
) -> None:
    api = AdminApi(service.url)
    header("setup")
    started = time.perf_counter()
    facility = FacilityRegistered(code=CODE, name=f"{CODE}-Bench", domain=DOMAIN)
    await publish(nc, settings, [envelop(facility, facility=CODE, aggregate_id=new_id(),
                                         version=1, actor=IDENTITY)])  # fmt: skip
    deciders = await api.terminals("decide-", AGENTS)
    holders = await api.terminals("hold-", plan.connected)
    events: list[Envelope] = []
    decider_users: list[list[str]] = []
    n = 0
    for terminal_id, _ in deciders:
        mine = []
        for _ in range(USERS_PER_AGENT):
            events += user_events(n, terminal_id)
            mine.append(account(n))
            n += 1
        decider_users.append(mine)
    holder_users = []
    for terminal_id, _ in holders:
        events += user_events(n, terminal_id)
        holder_users.append(account(n))
        n += 1
    await publish(nc, settings, events)
    await seeded(pool, n)
    say(
        f"  {AGENTS + plan.connected} terminals with credentials, {n} users, "
        f"{len(events) + 1} identity events in {time.perf_counter() - started:.1f}s"
    )

    header(f"decisions: {AGENTS} agents back to back, {plan.seconds:.0f}s after {plan.warmup:.0f}s")
    rate, pure = pure_rate(2.0)
    r["pure_decisions_per_s"] = rate
    r["pure_decision_p99_us"] = percentile(pure, 99) * 1e6
    row("pure decide(), in process", rate, "dec/s", note=f"p99 {r['pure_decision_p99_us']:.1f} µs")

    with bare_process() as bare:
        before = bare.cpu_seconds()
        bare_run = await decision_run(bare.url, [""] * AGENTS, decider_users, plan, seed=1)
        bare_cpu = (bare.cpu_seconds() - before) / (plan.seconds + plan.warmup)
    r["bare_decisions_per_s"] = bare_run.rate
    r["bare_decision_p99_ms"] = bare_run.p(99)
    row(
        "bare Litestar endpoint, uvicorn",
        bare_run.rate,
        "dec/s",
        note=f"p50 {bare_run.p(50):.1f} ms, p99 {bare_run.p(99):.1f} ms, "
        f"server cpu {100 * bare_cpu:.0f}%",
    )

    tokens = [token for _, token in deciders]
    await checkpoint(srv.postgres_url)
    meter = CpuShares(service, srv)
    meter.mark()
    service_run = await decision_run(service.url, tokens, decider_users, plan, seed=2)
    r["decision_cpu"] = meter.since()
    r["decisions_per_s"] = service_run.rate
    r["decision_p50_ms"] = service_run.p(50)
    r["decision_p99_ms"] = service_run.p(99)
    r["decision_back_to_back_p99_ms"] = service_run.p(99)
    r["decision_errors"] = service_run.errors
    r["decision_refused_share"] = service_run.refused / max(service_run.done, 1)
    r["decision_batch_mean"] = await metric_mean(service.url, "fumidai_decision_batch_size")
    row(
        "terminals service, POST /agent/v1/decisions",
        service_run.rate,
        "dec/s",
        target="≥1500",
        ok=service_run.rate >= TARGETS["decisions_per_s"],
        note=f"errors {service_run.errors}, refused {100 * r['decision_refused_share']:.0f}%, "
        f"events per commit {r['decision_batch_mean']:.1f}; " + meter.text(r["decision_cpu"]),
    )
    row(
        "  back to back: p50 / p99",
        r["decision_p50_ms"],
        "ms",
        note=f"p99 {r['decision_p99_ms']:.1f} ms: 50 agents always waiting, so latency is "
        "50 / throughput (Little's law) whatever the service",
    )
    # The latency target is at the target rate: 50 agents asking on a schedule that adds
    # up to 1,500/s, latency counted from when each request was due.
    say(f"  (relay caught up {await relayed(pool):.1f}s after the run)")
    meter.mark()
    paced = await decision_run(
        service.url, tokens, decider_users, plan, seed=3, rate=TARGETS["decisions_per_s"]
    )
    r["decision_paced_cpu"] = meter.since()
    r["decision_p50_ms"] = paced.p(50)
    r["decision_p99_ms"] = paced.p(99)
    r["decision_paced_per_s"] = paced.rate
    r["decision_paced_errors"] = paced.errors
    row(
        f"  at {TARGETS['decisions_per_s']:.0f}/s offered: p50",
        r["decision_p50_ms"],
        "ms",
        note=f"answered {paced.rate:,.0f}/s, errors {paced.errors}; "
        + meter.text(r["decision_paced_cpu"]),
    )
    row(
        f"  at {TARGETS['decisions_per_s']:.0f}/s offered: p99",
        r["decision_p99_ms"],
        "ms",
        target="≤15",
        ok=r["decision_p99_ms"] <= TARGETS["decision_p99_ms"],
    )
    # And at half that, where a service short of the target rate is not saturated (the time
    # a decision takes rather than the queue in front of it), and at a tenth: the floor.
    for key, share, seed in (("half", 2, 4), ("tenth", 10, 5)):
        rate = TARGETS["decisions_per_s"] / share
        await relayed(pool)
        meter.mark()
        paced = await decision_run(service.url, tokens, decider_users, plan, seed=seed, rate=rate)
        cpu = meter.since()
        r[f"decision_{key}_rate_p50_ms"] = paced.p(50)
        r[f"decision_{key}_rate_p99_ms"] = paced.p(99)
        row(
            f"  at {rate:.0f}/s offered: p50 / p99",
            paced.p(50),
            "ms",
            note=f"p99 {paced.p(99):.1f} ms, errors {paced.errors}; " + meter.text(cpu),
        )
    recorded = await pool.fetchval(
        "SELECT count(*) FROM events WHERE type = 'ConnectionDecided.v1'"
    )
    r["decisions_recorded"] = recorded
    say(f"  ({recorded:,} ConnectionDecided events recorded, warm-up included)")

    header(
        f"force close: {plan.connected} connected agents, one session each; half closed at "
        f"{plan.close_rate:.0f}/s (steady), half at {plan.burst_rate:.0f}/s (burst)"
    )
    async with connected_agents(service.url, holders, holder_users) as agents:
        await asyncio.sleep(1.0)  # every poll held
        await checkpoint(srv.postgres_url)  # not the decisions' checkpoint inside the run
        half = len(agents) // 2
        for key, chosen, rate in (
            ("force_close", agents[:half], plan.close_rate),
            ("force_close_burst", agents[half:], plan.burst_rate),
        ):
            meter.mark()
            latencies, requests, missing = await force_close_run(api, chosen, rate)
            cpu = meter.since()
            r[f"{key}_rate_per_s"] = rate
            r[f"{key}_p50_ms"] = percentile(latencies, 50) * 1000
            r[f"{key}_p99_ms"] = percentile(latencies, 99) * 1000
            r[f"{key}_max_ms"] = (latencies[-1] if latencies else float("nan")) * 1000
            r[f"{key}_request_p99_ms"] = percentile(requests, 99) * 1000
            r[f"{key}_missing"] = missing
            r[f"{key}_cpu"] = cpu
            label = f"{len(chosen)} closes at {rate:.0f}/s"
            row(f"  {label}: request → ack p50", r[f"{key}_p50_ms"], "ms")
            row(
                f"  {label}: request → ack p99",
                r[f"{key}_p99_ms"],
                "ms",
                target="≤1000" if key == "force_close" else "",
                ok=(r[f"{key}_p99_ms"] <= TARGETS["force_close_p99_ms"] and missing == 0)
                if key == "force_close"
                else None,
                note=f"max {r[f'{key}_max_ms']:.0f} ms, admin request alone p99 "
                f"{r[f'{key}_request_p99_ms']:.0f} ms, {missing} never acknowledged; "
                + meter.text(cpu),
            )
    await api.http.aclose()


async def relayed(pool: asyncpg.Pool) -> float:
    """Wait until the relay has published every committed event; the seconds it took.

    A saturating run leaves a backlog that the relay works off in the next seconds; a
    paced run measured on top of it would show the previous run's work, not its own.
    """
    started = time.perf_counter()

    async def caught_up() -> bool:
        return bool(
            await pool.fetchval(
                """SELECT NOT EXISTS (SELECT 1 FROM events e, relay_checkpoint c
                       WHERE (e.tx_id, e.position) > (c.tx_id, c.position))"""
            )
        )

    await wait_until(caught_up, timeout=120, poll=0.2)
    return time.perf_counter() - started


class CpuShares:
    """CPU used by the service, PostgreSQL, NATS and this process since ``mark``, as a
    percentage of one core over the wall time: where a run's time went."""

    def __init__(self, service: Process, srv: Servers) -> None:
        self._sources: dict[str, Callable[[], float]] = {
            "service": service.cpu_seconds,
            "pg": lambda: tree_cpu_seconds(srv.pg_pid),
            "nats": lambda: tree_cpu_seconds(srv.nats_pid),
            "bench": lambda: tree_cpu_seconds(os.getpid(), children=False),
        }
        self._marks: dict[str, float] = {}
        self._at = 0.0

    def mark(self) -> None:
        self._at = time.perf_counter()
        self._marks = {name: read() for name, read in self._sources.items()}

    def since(self) -> dict[str, int]:
        wall = time.perf_counter() - self._at
        return {
            name: round(100 * (read() - self._marks[name]) / wall)
            for name, read in self._sources.items()
        }

    @staticmethod
    def text(shares: dict[str, int]) -> str:
        return "cpu " + " ".join(f"{k} {v}%" for k, v in shares.items())


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        if value != value:
            return None
        return round(value, 3) if abs(value) < 100 else round(value, 1)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return value


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.terminals",
        description="Benchmark connection decisions and force close through terminals.",
    )
    parser.add_argument("--quick", action="store_true", help="4 s decision runs")
    parser.add_argument("--bare-server", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.bare_server:
        serve_bare(args.bare_server)
        return
    quiet_logs()
    plan = Plan.of(args.quick)
    started = time.perf_counter()
    with servers() as srv:
        result = asyncio.run(run(plan, srv))
    met = {
        "decisions_per_s": result["decisions_per_s"] >= TARGETS["decisions_per_s"],
        "decision_p99_ms": result["decision_p99_ms"] <= TARGETS["decision_p99_ms"],
        "force_close_p99_ms": result["force_close_p99_ms"] <= TARGETS["force_close_p99_ms"]
        and result["force_close_missing"] == 0,
    }
    missed = [k for k, ok in met.items() if not ok]
    say(f"  targets missed: {', '.join(missed) if missed else 'none'}")
    result["targets_met"] = met
    result["load_average_after"] = os.getloadavg()[0]
    result["wall_s"] = round(time.perf_counter() - started, 1)
    result["machine_reference_ms"] = round(machine_reference_ms(), 1)
    say(json.dumps({k: _rounded(v) for k, v in result.items()}, ensure_ascii=False))


if __name__ == "__main__":
    main()
