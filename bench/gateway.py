"""Benchmark of the gateway (the public admin API) against the service behind it.

Run on demand, not as a test::

    .venv/bin/python -m bench.gateway

It starts a private PostgreSQL and NATS JetStream (or uses ``FUMIDAI_BENCH_DATABASE_URL``
and ``FUMIDAI_BENCH_NATS_URL`` when both are set, as ``bench.events`` does) and the five
services as real processes (``libs.devservers.suite``), seeds a facility of 10,000 users
(two terminals, assigned round-robin) straight into identity's database, and measures:

* ``list_p95_ms``: 「ユーザー一覧」's first page of 50 with a 検索条件 (``name=yamada``,
  ~670 matches), 50 concurrent clients, through the gateway with a signed-in admin's
  session: session lookup, internal token, identity, relay of the answer;
* ``list_direct_p95_ms``: the same query on identity's internal API directly (internal
  token), same clients: the difference is the gateway's cost;
* the same two with one client: what one admin sees when nobody else is asking;
* ``signin_p95_ms``: a full admin sign-in (password, TOTP, second password; 3 requests,
  two argon2id checks), one at a time, each admin already enrolled.

The list clients are wrk's (Debian's ``wrk``, installed on first use like the suite's other
Debian packages), so that the load generator's own CPU stays small beside the services' on a
machine whose two cores it shares with them; each run prints the CPU each process used, wrk's
included. The last line of stdout is one JSON object.
"""

import argparse
import asyncio
import atexit
import functools
import json
import os
import resource
import secrets
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import asyncpg
import httpx
import msgspec
import pyotp

from bench.events import (
    Servers,
    header,
    machine_reference_ms,
    percentile,
    quiet_logs,
    row,
    say,
    servers,
    tree_cpu_seconds,
)
from bench.identity import DOMAIN, copy_users, facility_terminals
from bench.raw_http import RawConnection
from fumidai_cli.system import ensure
from libs.devservers.suite import Suite
from libs.runtime.internal_auth import issue
from libs.runtime.token_keys import GATEWAY
from services.identity.bootstrap import create_facility
from services.identity.domain.facility import RegisterFacility
from tests.gateway_support import NEW_PASSWORD, walk_sign_in

TARGETS = {"list_p95_ms": 40.0, "signin_p95_ms": 400.0}
BIG_CODE = "997"
USERS = 10_000
CLIENTS = 50
MEASURE_S = 8
"""Seconds of each measured list run (about 10,000 requests at 50 clients)."""
WARM_S = 2
"""Seconds of the same load before it, not measured."""
SEARCH = {"name": "yamada", "limit": 50}
SIGNIN_ADMINS = 30


async def seed_users(dsn: str, code: str) -> None:
    """``USERS`` users of ``code`` as identity's appliers would write them, spread over
    the terminals identity has projected."""
    conn = await asyncpg.connect(dsn)
    try:
        await copy_users(conn, code, range(USERS), await facility_terminals(conn, code))
        # What autovacuum would do in the next minute, not under the measured load.
        for table in ("users", "user_terminals", "accounts", "events"):
            await conn.execute(f"VACUUM ANALYZE {table}")
    finally:
        await conn.close()


async def wait_projected(dsn: str, minimum: int, timeout: float = 120.0) -> int:
    """Until terminals has projected the seeded users, at most ``timeout`` seconds; how
    many it has (the others' consumers may still be busy under the figures: reported)."""
    conn = await asyncpg.connect(dsn)
    try:
        deadline = time.monotonic() + timeout
        # Users live in terminals' access_users (accounts holds only facilities' admins).
        count = "SELECT count(*) FROM access_users WHERE NOT deleted"
        while (seen := await conn.fetchval(count)) < minimum:
            if time.monotonic() > deadline:
                break
            await asyncio.sleep(0.5)
        return int(seen)
    finally:
        await conn.close()


class Page(msgspec.Struct):
    items: list[msgspec.Raw]


WRK_REPORT = """
done = function(summary, latency, requests)
  io.write(string.format(
    '{"requests": %d, "seconds": %.6f, "non_2xx": %d, "socket_errors": %d, ' ..
    '"p50_us": %d, "p95_us": %d, "p99_us": %d}\\n',
    summary.requests, summary.duration / 1e6, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""
"""wrk's Lua hook: the run's figures as one JSON line after wrk's own summary."""


@functools.cache
def report_script() -> str:
    """``WRK_REPORT`` in a file for ``wrk -s``, written once, removed at exit."""
    handle, path = tempfile.mkstemp(prefix="fumidai-bench-", suffix=".lua")
    os.write(handle, WRK_REPORT.encode())
    os.close(handle)
    atexit.register(os.unlink, path)
    return path


@dataclass
class Load:
    """One measured list run: wrk's figures and the CPU of each process."""

    requests: int
    seconds: float
    percentiles_ms: dict[int, float]
    cpu: dict[str, int]

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    def p(self, q: int) -> float:
        return self.percentiles_ms[q]


def cpu_seconds(pids: dict[str, int]) -> dict[str, float]:
    """CPU seconds of each named process and its children."""
    return {name: tree_cpu_seconds(pid) for name, pid in pids.items()}


async def full_page(url: str, path: str, headers: dict[str, str]) -> None:
    """One answer checked to be JSON holding a full page (wrk checks only statuses)."""
    connection = RawConnection(url, None, headers)
    await connection.open()
    try:
        status, body = await connection.get(path, SEARCH)
    finally:
        await connection.close()
    assert status == 200, body
    assert len(msgspec.json.decode(body, type=Page).items) == SEARCH["limit"]


async def wrk(target: str, headers: dict[str, str], clients: int, seconds: float) -> dict[str, Any]:
    """wrk's figures of ``clients`` connections asking for ``target`` back to back, and
    its own CPU seconds; any answer but a 2xx, or any socket error, fails the bench."""
    args = ["wrk", "-t1", f"-c{clients}", f"-d{seconds}s", "--timeout", "10s"]
    args += ["-s", report_script()]
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    process = await asyncio.create_subprocess_exec(
        *args, target, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await process.communicate()
    # wrk is the only child that ends meanwhile: the services are still running.
    done = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert process.returncode == 0, err.decode()
    figures: dict[str, Any] = json.loads(out.decode().strip().splitlines()[-1])
    assert figures["non_2xx"] == 0 and figures["socket_errors"] == 0, out.decode()
    figures["cpu_s"] = done.ru_utime - children.ru_utime + done.ru_stime - children.ru_stime
    return figures


async def load(
    url: str, path: str, headers: dict[str, str], pids: dict[str, int], clients: int
) -> Load:
    """``clients`` clients, each its own keep-alive connection asking back to back for
    ``MEASURE_S`` seconds after ``WARM_S`` unmeasured ones (every connection behind them,
    gateway to service and service to PostgreSQL, is then open: the steady state).

    The clients are wrk's (C, one thread): it shares the machine's two cores with the
    services, and the Python client this bench had before took 15% of them at these
    rates, wrk about 1%."""
    await full_page(url, path, headers)
    target = f"{url}{path}?{urlencode(SEARCH)}"
    await wrk(target, headers, clients, WARM_S)
    before, started = cpu_seconds(pids), time.perf_counter()
    figures = await wrk(target, headers, clients, MEASURE_S)
    wall = time.perf_counter() - started
    after = cpu_seconds(pids)
    cpu = {name: round(100 * (after[name] - before[name]) / wall) for name in pids}
    cpu["wrk"] = round(100 * figures.pop("cpu_s", 0) / wall)
    return Load(
        requests=figures["requests"],
        seconds=figures["seconds"],
        percentiles_ms={q: figures[f"p{q}_us"] / 1000 for q in (50, 95, 99)},
        cpu=cpu,
    )


async def sign_ins(suite: Suite) -> list[float]:
    """Enrol ``SIGNIN_ADMINS`` admins, then time one full sign-in of each."""
    url = suite.url("gateway")
    enrolled: list[tuple[str, str, str]] = []
    for i in range(SIGNIN_ADMINS):
        created = await create_facility(
            suite.database_url("identity"),
            RegisterFacility(
                code=f"{800 + i}", name=f"{800 + i}-Bench", domain=DOMAIN, admin_name="admin01"
            ),
            operator="bench",
        )
        totp: dict[str, str] = {}
        async with httpx.AsyncClient(base_url=url, timeout=30) as http:
            await walk_sign_in(
                http,
                "/api/v1/session",
                {"account": created.admin_account, "password": created.initial_password},
                totp,
                created.initial_second_password,
            )
        enrolled.append((created.admin_account, totp["secret"], created.initial_second_password))
    timings = []
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        for account, secret, second in enrolled:
            # The enrolment used this step's code; a code is accepted once, ±1 step.
            code = pyotp.TOTP(secret).at(time.time() + 30)
            started = time.perf_counter()
            first = await http.post(
                "/api/v1/session/password",
                json={"account": account, "password": NEW_PASSWORD, "token": True},
            )
            assert first.json()["next_step"] == "totp", first.text
            handle = first.json()["handle"]
            totp_step = await http.post(
                "/api/v1/session/totp", json={"handle": handle, "code": code, "token": True}
            )
            assert totp_step.json()["next_step"] == "second_password", totp_step.text
            done = await http.post(
                "/api/v1/session/second-password",
                json={"handle": handle, "second_password": second, "token": True},
            )
            timings.append((time.perf_counter() - started) * 1000)
            assert done.json()["next_step"] == "done", done.text
    return sorted(timings)


async def run(srv: Servers) -> dict[str, Any]:
    logs = Path(tempfile.mkdtemp(prefix="fumidai-bench-gateway-"))
    suite = Suite(
        postgres_url=srv.postgres_url,
        nats_url=srv.nats_url,
        log_dir=logs,
        database_prefix=f"benchgw{secrets.token_hex(3)}_",
        extra_env={
            "FUMIDAI_EVENTS_SUBJECT_ROOT": f"bg{secrets.token_hex(4)}",
            "FUMIDAI_EVENTS_STREAM_PREFIX": f"BG{secrets.token_hex(4).upper()}",
            "FUMIDAI_EVENTS_PROVISION_ALL_STREAMS": "true",  # a service alone
            # One source address signs in every admin here: no brute force to stop.
            "FUMIDAI_GATEWAY_SIGNIN_PER_ADDRESS": "100000",
        },
    )
    reference = machine_reference_ms()
    header("five services as processes")
    row("machine reference (pure Python, one core)", reference, "ms", note="lower is faster")
    await suite.prepare()
    suite.start()
    try:
        await asyncio.to_thread(suite.wait_ready, 120)
        created = await create_facility(
            suite.database_url("identity"),
            RegisterFacility(code=BIG_CODE, name="997-Bench", domain=DOMAIN, admin_name="admin01"),
            operator="bench",
        )
        async with httpx.AsyncClient(base_url=suite.url("gateway"), timeout=30) as http:
            session = await walk_sign_in(
                http,
                "/api/v1/session",
                {
                    "account": created.admin_account,
                    "password": created.initial_password,
                    "token": True,
                },
                {},
                created.initial_second_password,
            )
            bearer = {"Authorization": f"Bearer {session['session_token']}"}
            base = f"/api/v1/facilities/{BIG_CODE}"
            for name in ("踏み台端末01", "踏み台端末02"):
                made = await http.post(f"{base}/terminals", json={"name": name}, headers=bearer)
                assert made.status_code == 201, made.text
            # identity has projected both terminals once it has seen the second.
            token = made.json()["consistency_token"]
            await http.get(f"{base}/users", headers={**bearer, "X-Fumidai-Consistency": token})
        header(f"seed {USERS:,} users in facility {BIG_CODE}")
        started = time.perf_counter()
        await seed_users(suite.database_url("identity"), BIG_CODE)
        projected = await wait_projected(suite.database_url("terminals"), USERS)
        note = f"terminals projected {projected:,} users by then"
        row("seeded", time.perf_counter() - started, "s", note=note)

        header(f"user list, first page of 50 with a search term, {CLIENTS} clients")
        internal = issue(
            suite.token_keys[GATEWAY],
            audience="identity",
            sub=created.admin_account,
            role="admin",
            facility=BIG_CODE,
            ttl=3600,
        )
        sides = {
            "gateway": (suite.url("gateway"), f"{base}/users", bearer),
            "direct": (
                suite.url("identity"),
                f"/internal/v1/facilities/{BIG_CODE}/users",
                {"Authorization": f"Bearer {internal}"},
            ),
        }
        pids = {
            "gateway": suite.processes["gateway"].pid,
            "identity": suite.processes["identity"].pid,
            "pg": srv.pg_pid or 0,
            "nats": srv.nats_pid or 0,
            **{name: suite.processes[name].pid for name in ("terminals", "audit", "fileshare")},
        }
        runs = {
            (side, clients): await load(*where, pids, clients)
            for clients in (CLIENTS, 1)
            for side, where in sides.items()
        }
        for clients in (CLIENTS, 1):
            via, direct = runs["gateway", clients], runs["direct", clients]
            ok = via.p(95) <= TARGETS["list_p95_ms"] if clients == CLIENTS else None
            label = f"{clients} clients" if clients > 1 else "1 client"
            row(f"{label}: gateway p50", via.p(50), "ms")
            row(
                f"{label}: gateway p95",
                via.p(95),
                "ms",
                target="≤40" if clients == CLIENTS else "",
                ok=ok,
                note=f"{via.rate:,.0f} lists/s; cpu "
                + " ".join(f"{k} {v}%" for k, v in via.cpu.items()),
            )
            row(f"{label}: gateway p99", via.p(99), "ms")
            row(f"{label}: identity direct p50", direct.p(50), "ms")
            row(
                f"{label}: identity direct p95",
                direct.p(95),
                "ms",
                note=f"{direct.rate:,.0f} lists/s; cpu "
                + " ".join(f"{k} {v}%" for k, v in direct.cpu.items()),
            )
        via_gateway, direct = runs["gateway", CLIENTS], runs["direct", CLIENTS]
        list_p95, direct_p95 = via_gateway.p(95), direct.p(95)

        header(f"full admin sign-in, {SIGNIN_ADMINS} admins one after another")
        signins = await sign_ins(suite)
        signin_p95 = percentile(signins, 95)
        row("sign-in p50", percentile(signins, 50), "ms")
        ok = signin_p95 <= TARGETS["signin_p95_ms"]
        row("sign-in p95", signin_p95, "ms", target="≤400", ok=ok)
        return {
            "list_p95_ms": round(list_p95, 1),
            "list_direct_p95_ms": round(direct_p95, 1),
            "list_p50_ms": round(via_gateway.p(50), 1),
            "list_p99_ms": round(via_gateway.p(99), 1),
            "list_direct_p50_ms": round(direct.p(50), 1),
            "list_per_s": round(via_gateway.rate),
            "list_direct_per_s": round(direct.rate),
            "list_cpu": via_gateway.cpu,
            "list_direct_cpu": direct.cpu,
            "list_one_client_p95_ms": round(runs["gateway", 1].p(95), 1),
            "list_direct_one_client_p95_ms": round(runs["direct", 1].p(95), 1),
            "signin_p95_ms": round(signin_p95, 1),
            "clients": CLIENTS,
            "load_generator": "wrk",
            "projected_before_measuring": projected,
            "users": USERS,
            "cpu_count": os.cpu_count(),
            "machine_reference_ms": round(reference, 1),
            "targets": TARGETS,
            "met": {
                "list_p95_ms": list_p95 <= TARGETS["list_p95_ms"],
                "signin_p95_ms": ok,
            },
        }
    finally:
        suite.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.gateway",
        description="Benchmark the gateway: user list through it and direct, admin sign-in.",
    )
    parser.parse_args(argv)
    if not ensure(("wrk",)):
        raise SystemExit("bench.gateway needs Debian's wrk (see above)")
    quiet_logs()
    with servers() as srv:
        result = asyncio.run(run(srv))
    say(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
