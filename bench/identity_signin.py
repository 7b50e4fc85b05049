"""Benchmark of admin sign-in (SPEC L1–L4) through identity's internal HTTP API.

Run on demand, not as a test::

    .venv/bin/python -m bench.identity_signin [--quick]

It starts a private PostgreSQL and NATS JetStream (or uses ``FUMIDAI_BENCH_DATABASE_URL``
and ``FUMIDAI_BENCH_NATS_URL`` when both are set), runs identity as its own process
(``python -m services.identity``, as ``./fumidai up`` does) on a fresh database, and calls
it over loopback HTTP like the gateway. Setup registers one facility per admin and does
each admin's first sign-in (forced change, enrolment); then every admin signs in once
more, all steps: password (argon2id), authenticator code, second password. The figure is
the whole sign-in, from the first request to the grant. The last line of stdout is one
JSON object.
"""

import argparse
import asyncio
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pyotp

from bench.events import (
    Servers,
    dsn_for,
    header,
    machine_reference_ms,
    percentile,
    quiet_logs,
    row,
    say,
    servers,
)
from libs.devservers.ports import free_port
from libs.events.envelope import Role
from libs.runtime.internal_auth import issue
from libs.runtime.token_keys import GATEWAY, OPERATOR, SigningKey
from services.identity.adapters.passwords import hash_password, verify_password

TARGETS: dict[str, float] = {"signin_p95_ms": 300}
CONCURRENCY = 8
NEW_PASSWORD = "Bench-Password-2026"


@dataclass(frozen=True)
class Plan:
    admins: int

    @classmethod
    def of(cls, quick: bool) -> "Plan":
        return cls(admins=30 if quick else 120)


@dataclass
class Admin:
    account: str
    password: str
    second_password: str
    secret: str = ""


@dataclass(frozen=True)
class Callers:
    """The token keys of identity's callers: the gateway and operators."""

    gateway: SigningKey = field(default_factory=lambda: SigningKey.generate(GATEWAY))
    operator: SigningKey = field(default_factory=lambda: SigningKey.generate(OPERATOR))

    def trusted(self) -> str:
        return f"{self.gateway.trusted().text()},{self.operator.trusted().text()}"


@contextmanager
def identity_process(srv: Servers, database: str, callers: Callers) -> Iterator[str]:
    """identity as its own process on ``database``; yields its base URL."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("FUMIDAI_")}
    tag = secrets.token_hex(4)
    env.update(
        {
            "FUMIDAI_IDENTITY_DATABASE_URL": dsn_for(srv.postgres_url, database),
            "FUMIDAI_NATS_URL": srv.nats_url,
            "FUMIDAI_IDENTITY_PORT": str(port),
            "FUMIDAI_IDENTITY_TOKEN_TRUSTED_KEYS": callers.trusted(),
            "FUMIDAI_IDENTITY_TOTP_KEY": secrets.token_urlsafe(32),
            "FUMIDAI_IDENTITY_LOG_LEVEL": "warning",
            "FUMIDAI_EVENTS_SUBJECT_ROOT": f"b{tag}",
            "FUMIDAI_EVENTS_STREAM_PREFIX": f"B{tag.upper()}",
            "FUMIDAI_EVENTS_PROVISION_ALL_STREAMS": "true",  # a service alone
        }
    )
    log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in the finally below
    process = subprocess.Popen(
        [sys.executable, "-m", "services.identity"],
        cwd=Path(__file__).resolve().parents[1],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"identity exited:\n{log.read().decode(errors='replace')}")
            try:
                if httpx.get(f"{url}/health/ready", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("identity did not become ready")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(15)
        log.close()


class Gateway:
    """Calls identity as the gateway does: a fresh signed token per request."""

    def __init__(self, client: httpx.AsyncClient, callers: Callers) -> None:
        self._client = client
        self._callers = callers

    async def post(self, path: str, body: dict[str, Any], role: Role = "system") -> Any:
        key = self._callers.operator if role == "operator" else self._callers.gateway
        token = issue(
            key, audience="identity", sub="bench-gateway", role=role, facility="*", ip="127.0.0.1"
        )
        response = await self._client.post(
            path, json=body, headers={"Authorization": f"Bearer {token}"}
        )
        if response.status_code not in (200, 201):
            raise RuntimeError(f"{path}: {response.status_code} {response.text}")
        return response.json()

    async def step(self, name: str, **body: Any) -> Any:
        return await self.post(f"/internal/v1/signin/{name}", body)


def argon2_alone(samples: int) -> list[float]:
    """ms of one argon2id verification with identity's parameters, in this process: the
    floor of the password step on this machine right now (the reference figure)."""
    stored = hash_password(NEW_PASSWORD)
    timings = []
    for _ in range(samples):
        started = time.perf_counter()
        verify_password(stored, NEW_PASSWORD)
        timings.append((time.perf_counter() - started) * 1000)
    return sorted(timings)


def code(secret: str, ahead: int = 0) -> str:
    """The current code, or one ``ahead`` steps on (the drift allowed): one not yet used."""
    totp = pyotp.TOTP(secret)
    return totp.at(time.time() + 30 * ahead)


async def setup(gateway: Gateway, plan: Plan) -> list[Admin]:
    """One facility per admin, each admin's first sign-in done (not timed)."""
    admins = []
    for number in range(plan.admins):
        created = await gateway.post(
            "/internal/v1/operator/facilities",
            {
                "code": f"{number + 100:03d}",
                "name": f"Bench {number}",
                "domain": "bench.example.jp",
                "admin": "admin01",
            },
            role="operator",
        )
        admin = Admin(
            created["admin_account"],
            created["initial_password"],
            created["initial_second_password"],
        )
        first = await gateway.step(
            "password", account=admin.account, password=admin.password, app="メンテナンスツール"
        )
        handle = first["handle"]
        enrol = await gateway.step("new-password", handle=handle, new_password=NEW_PASSWORD)
        admin.password = NEW_PASSWORD
        admin.secret = enrol["enrolment"]["secret"]
        await gateway.step("totp", handle=handle, code=code(admin.secret))
        await gateway.step("second-password", handle=handle, second_password=admin.second_password)
        admins.append(admin)
    return admins


async def sign_in(gateway: Gateway, admin: Admin, ahead: int) -> tuple[float, float]:
    """One full sign-in; (whole ms, password step ms)."""
    started = time.perf_counter()
    first = await gateway.step(
        "password", account=admin.account, password=admin.password, app="メンテナンスツール"
    )
    password_ms = (time.perf_counter() - started) * 1000
    assert first["next_step"] == "totp", first
    handle = first["handle"]
    await gateway.step("totp", handle=handle, code=code(admin.secret, ahead))
    done = await gateway.step(
        "second-password", handle=handle, second_password=admin.second_password
    )
    assert done["next_step"] == "done", done
    return (time.perf_counter() - started) * 1000, password_ms


async def run(plan: Plan, srv: Servers) -> dict[str, Any]:
    database = f"bench_signin_{secrets.token_hex(4)}"
    conn_url = srv.postgres_url
    conn = await asyncpg.connect(conn_url)
    try:
        await conn.execute(f'CREATE DATABASE "{database}"')
    finally:
        await conn.close()
    callers = Callers()
    try:
        with identity_process(srv, database, callers) as url:
            async with httpx.AsyncClient(base_url=url, timeout=30) as client:
                gateway = Gateway(client, callers)
                header(f"setup: {plan.admins} facilities, each admin's first sign-in")
                started = time.perf_counter()
                admins = await setup(gateway, plan)
                say(f"  done in {time.perf_counter() - started:.1f}s")

                header("admin sign-in, all steps, one at a time")
                # Setup used each admin's current step; a code one step ahead is within
                # the drift allowed and not a replay.
                floor = argon2_alone(max(10, plan.admins // 3))
                serial = [await sign_in(gateway, admin, ahead=1) for admin in admins]
                floor = sorted(floor + argon2_alone(max(10, plan.admins // 3)))
                whole = sorted(s[0] for s in serial)
                pw = sorted(s[1] for s in serial)
                p95 = percentile(whole, 95)
                row("argon2id verify alone p50", percentile(floor, 50), "ms", note="reference")
                row("argon2id verify alone p95", percentile(floor, 95), "ms", note="reference")
                row("signin p50", percentile(whole, 50), "ms")
                row(
                    "signin p95",
                    p95,
                    "ms",
                    target=f"≤ {TARGETS['signin_p95_ms']:.0f}",
                    ok=p95 <= TARGETS["signin_p95_ms"],
                )
                row("password step p95", percentile(pw, 95), "ms", note="argon2id verify")

                header(f"admin sign-in, all steps, {CONCURRENCY} at a time")
                semaphore = asyncio.Semaphore(CONCURRENCY)

                async def bounded(admin: Admin) -> tuple[float, float]:
                    async with semaphore:
                        return await sign_in(gateway, admin, ahead=1)

                # Past the next step: a code one ahead of it was not used by the serial round.
                await asyncio.sleep(31)
                started = time.perf_counter()
                loaded = await asyncio.gather(*(bounded(a) for a in admins))
                elapsed = time.perf_counter() - started
                concurrent = sorted(s[0] for s in loaded)
                row(f"signin p95 at {CONCURRENCY}", percentile(concurrent, 95), "ms")
                row("sign-ins per second", len(admins) / elapsed, "/s")
    finally:
        conn = await asyncpg.connect(conn_url)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        finally:
            await conn.close()
    return {
        "admins": plan.admins,
        "cpu_count": os.cpu_count(),
        "targets": TARGETS,
        "met": {"signin_p95_ms": p95 <= TARGETS["signin_p95_ms"]},
        "signin_p50_ms": round(percentile(whole, 50), 1),
        "signin_p95_ms": round(p95, 1),
        "signin_password_step_p95_ms": round(percentile(pw, 95), 1),
        "argon2_verify_p50_ms": round(percentile(floor, 50), 1),
        "argon2_verify_p95_ms": round(percentile(floor, 95), 1),
        f"signin_p95_at_{CONCURRENCY}_ms": round(percentile(concurrent, 95), 1),
        "signins_per_s_at_8": round(len(admins) / elapsed, 1),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.identity_signin",
        description="Benchmark admin sign-in, all steps, through identity's internal API.",
    )
    parser.add_argument("--quick", action="store_true", help="30 admins instead of 120")
    args = parser.parse_args(argv)
    quiet_logs()
    plan = Plan.of(args.quick)
    started = time.perf_counter()
    with servers() as srv:
        result = asyncio.run(run(plan, srv))
    result["quick"] = args.quick
    result["wall_s"] = round(time.perf_counter() - started, 1)
    result["machine_reference_ms"] = round(machine_reference_ms(), 1)
    say(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
