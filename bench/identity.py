"""Benchmark of identity's users area (SPEC U3, U6) through its internal HTTP API.

Run on demand, not as a test::

    .venv/bin/python -m bench.identity

It starts a private PostgreSQL and NATS JetStream (or uses ``FUMIDAI_BENCH_DATABASE_URL``
and ``FUMIDAI_BENCH_NATS_URL`` when both are set, as ``bench.events`` does), runs identity
in this process under uvicorn on a free loopback port with its default settings, and
calls it over HTTP as the gateway would. Figures:

* ``import_10k_new_s``: upload of a 10,000-row CSV of new users (MACs, two terminals,
  hours each) until its job is 完了, progress sampled from the job endpoint meanwhile;
* ``import_10k_same_s``: the same file again, until 完了 with every row 変更なし;
* ``export_100k_s``: 「全件CSV出力」 of a facility of 100,000 users, from the request
  until the file is downloaded (the users are seeded straight into the database: events
  appended in bulk plus their state rows, as the service's own appliers would write them);
* ``list_p95_ms``: first pages of 「ユーザー一覧」 in that facility, by account and by name,
  with and without 検索条件.

The run is a list of sections (``SECTIONS``); a section is an async function of the
``Bench`` that returns its figures, so another area adds its own by appending one. The
last line of stdout is one JSON object.
"""

import argparse
import asyncio
import json
import logging
import random
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import asyncpg
import httpx
import nats
import uvicorn

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
from libs.events.catalogue.terminals import TerminalCreated
from libs.events.catalogue.users import AccessHours, UserCreated, UserProfile
from libs.events.codec import encode
from libs.events.envelope import Actor, Envelope, envelop
from libs.events.ids import new_id
from libs.events.settings import EventSettings
from libs.events.store import append
from libs.events.subjects import subject_of
from libs.runtime.internal_auth import issue
from libs.runtime.serve import SERVER
from libs.runtime.settings import CoreSettings
from libs.runtime.token_keys import GATEWAY, OPERATOR, SigningKey
from services.identity.bootstrap import bootstrap
from services.identity.domain.csv_format import BOM, COLUMNS, CsvWriter
from services.identity.settings import IdentityOwn, IdentitySettings

TARGETS: dict[str, float] = {
    "import_10k_new_s": 30.0,
    "import_10k_same_s": 10.0,
    "export_100k_s": 5.0,
    "list_p95_ms": 20.0,
}
GATEWAY_KEY = SigningKey.generate(GATEWAY)
OPERATOR_KEY = SigningKey.generate(OPERATOR)
AT_REST_KEY = "9X3M3w9cQk8m1f6Xo3m0C3JgkL0hQ7n8V4b6vK2pZ1E="
DOMAIN = "nrasdev.onmicrosoft.com"
IMPORT_CODE, BIG_CODE = "998", "997"
IMPORT_ROWS, BIG_USERS = 10_000, 100_000
SEED_CHUNK = 5_000
LIST_ROUNDS = 40
FAMILY_NAMES = ["Yamada", "Suzuki", "Sato", "Tanaka", "Ito", "Watanabe", "Nakamura", "Kobayashi",
                "Kato", "Yoshida", "山田", "鈴木", "佐藤", "田中", "伊藤"]  # fmt: skip
BENCH = Actor(id="bench", role="system")


@dataclass
class Bench:
    """What every section shares: the service's URL and database, and the figures so far."""

    url: str
    dsn: str
    settings: IdentitySettings
    client: httpx.AsyncClient
    terminals: dict[str, list[str]] = field(default_factory=dict)
    """Names of each facility's terminals, by facility code."""
    results: dict[str, Any] = field(default_factory=dict)
    import_file: bytes = b""

    def headers(self, code: str) -> dict[str, str]:
        token = issue(
            GATEWAY_KEY,
            audience="identity",
            sub=f"{code}-admin01@{DOMAIN}",
            role="admin",
            facility=code,
            ttl=3600,
        )
        return {"Authorization": f"Bearer {token}"}

    async def job(
        self, code: str, job_id: str, every: float = 0.05
    ) -> tuple[dict[str, Any], list[tuple[float, str, int]]]:
        """Poll a job until 完了 or 失敗; the samples are (elapsed, status, done_rows)."""
        started = time.perf_counter()
        samples: list[tuple[float, str, int]] = []
        while True:
            response = await self.client.get(
                f"/internal/v1/facilities/{code}/jobs/{job_id}", headers=self.headers(code)
            )
            job: dict[str, Any] = response.json()
            samples.append((time.perf_counter() - started, job["status"], job["done_rows"]))
            if job["status"] in ("done", "failed"):
                return job, samples
            await asyncio.sleep(every)


Section = Callable[[Bench], Awaitable[dict[str, Any]]]


# -- setup ------------------------------------------------------------------------------------


async def register(bench: Bench, code: str) -> None:
    token = issue(OPERATOR_KEY, audience="identity", sub="bench", role="operator", facility="*")
    response = await bench.client.post(
        "/internal/v1/operator/facilities",
        json={"code": code, "name": f"{code}-Bench Hospital", "domain": DOMAIN, "admin": "admin01"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201, response.text


async def publish_terminals(bench: Bench, code: str, count: int) -> None:
    """The terminals service's TerminalCreated events, which identity projects."""
    settings = bench.settings.events
    nc = await nats.connect(bench.settings.core.nats_url)
    names = [f"{code}-operation-group{n:02d}" for n in range(1, count + 1)]
    try:
        js = nc.jetstream()
        for name in names:
            envelope = envelop(
                TerminalCreated(name=name),
                facility=code,
                aggregate_id=new_id(),
                version=1,
                actor=BENCH,
            )
            await js.publish(
                subject_of(settings.subject_root, envelope),
                encode(envelope),
                headers={"Nats-Msg-Id": envelope.event_id},
            )
    finally:
        await nc.close()
    conn = await asyncpg.connect(bench.dsn)
    try:
        while (
            await conn.fetchval("SELECT count(*) FROM terminals WHERE facility_code = $1", code)
            < count
        ):
            await asyncio.sleep(0.05)
    finally:
        await conn.close()
    bench.terminals[code] = names


def import_file(code: str, terminals: list[str]) -> bytes:
    """10,000 new users as an admin would fill the sheet of manual 3.3."""
    writer = CsvWriter(COLUMNS[:-1])
    for n in range(IMPORT_ROWS):
        writer.row(
            [
                f"{code}-bulk-user{n:05d}@{DOMAIN}",
                FAMILY_NAMES[n % len(FAMILY_NAMES)],
                f"user{n:05d}",
                f"bulk-user{n:05d}@example.jp",
                "2025/4/1",
                "2026/12/31",
                f"00-11-22-33-{n // 256 % 256:02X}-{n % 256:02X},AA:BB:CC:DD:EE:FF",
                f"{terminals[n % len(terminals)]},{terminals[(n + 1) % len(terminals)]}",
                "8:30",
                "17:30",
                ("常に許可", "承認後に許可", "拒否")[n % 3],
            ]
        )
    return writer.encode()


async def wait_relayed(bench: Bench, timeout: float = 300.0) -> None:
    """Until identity's relay has published everything (so it does not run under a figure)."""
    conn = await asyncpg.connect(bench.dsn)
    try:
        deadline = time.perf_counter() + timeout
        while True:
            last = await conn.fetchrow(
                """SELECT tx_id::text::bigint AS tx, position FROM events
                   ORDER BY tx_id DESC, position DESC LIMIT 1"""
            )
            mark = await conn.fetchrow(
                "SELECT tx_id::text::bigint AS tx, position FROM relay_checkpoint"
            )
            if last is None or (mark is not None and tuple(mark) >= tuple(last)):
                return
            assert time.perf_counter() < deadline, "the relay did not catch up"
            await asyncio.sleep(0.5)
    finally:
        await conn.close()


# -- sections ---------------------------------------------------------------------------------


async def import_new(bench: Bench) -> dict[str, Any]:
    header(f"「一括登録」 of {IMPORT_ROWS:,} new users (MACs, 2 terminals, hours each)")
    bench.import_file = import_file(IMPORT_CODE, bench.terminals[IMPORT_CODE])
    started = time.perf_counter()
    response = await bench.client.post(
        f"/internal/v1/facilities/{IMPORT_CODE}/jobs/user-import",
        content=bench.import_file,
        headers={**bench.headers(IMPORT_CODE), "content-type": "text/csv"},
    )
    assert response.status_code == 202, response.text
    job, samples = await bench.job(IMPORT_CODE, response.json()["job_id"], every=0.25)
    elapsed = time.perf_counter() - started
    assert job["status"] == "done" and job["created_rows"] == IMPORT_ROWS, job
    running = [(t, done) for t, status, done in samples if status == "running"]
    partial = [done for _, done in running if 0 < done < IMPORT_ROWS]
    say(
        "  progress while running (s → rows): "
        + ", ".join(f"{t:.1f}→{d}" for t, d in running[:: max(1, len(running) // 8)])
    )
    row(
        "import 10k new",
        elapsed,
        "s",
        target="≤30",
        ok=elapsed <= TARGETS["import_10k_new_s"],
        note=f"{IMPORT_ROWS / elapsed:,.0f} rows/s, {len(partial)} partial progress samples",
    )
    return {
        "import_10k_new_s": elapsed,
        "import_10k_new_rows_per_s": IMPORT_ROWS / elapsed,
        "import_progress_samples": len(partial),
        "import_file_bytes": len(bench.import_file),
    }


async def import_same(bench: Bench) -> dict[str, Any]:
    header("the same file again: every row 変更なし")
    await wait_relayed(bench)
    started = time.perf_counter()
    response = await bench.client.post(
        f"/internal/v1/facilities/{IMPORT_CODE}/jobs/user-import",
        content=bench.import_file,
        headers={**bench.headers(IMPORT_CODE), "content-type": "text/csv"},
    )
    assert response.status_code == 202, response.text
    job, _ = await bench.job(IMPORT_CODE, response.json()["job_id"])
    elapsed = time.perf_counter() - started
    assert job["status"] == "done" and job["unchanged_rows"] == IMPORT_ROWS, job
    row("import 10k same", elapsed, "s", target="≤10", ok=elapsed <= TARGETS["import_10k_same_s"])
    return {"import_10k_same_s": elapsed}


def seed_envelope(code: str, n: int) -> tuple[Envelope, tuple[str, UserProfile]]:
    """User ``n`` of the big facility: its UserCreated and its users row."""
    valid_from = date(2025, 4, 1) + timedelta(days=n % 300)
    profile = UserProfile(
        family_name=FAMILY_NAMES[n % len(FAMILY_NAMES)],
        given_name=f"user{n:06d}",
        email=f"user{n:06d}@{('example.jp', 'hospital.example.jp')[n % 2]}",
        valid_from=valid_from,
        valid_until=valid_from + timedelta(days=500),
        macs=(f"00:11:22:{n // 65536 % 256:02X}:{n // 256 % 256:02X}:{n % 256:02X}",),
        hours=AccessHours(start="08:30", end="17:30") if n % 2 else None,
        file_share=("always", "approval", "deny")[n % 3],
    )
    account = f"{code}-user{n:06d}@{DOMAIN}"
    envelope = envelop(
        UserCreated(account=account, profile=profile),
        facility=code,
        aggregate_id=new_id(),
        version=1,
        actor=BENCH,
    )
    return envelope, (account, profile)


async def copy_users(
    conn: asyncpg.Connection, code: str, numbers: range, terminals: list[tuple[str, str]]
) -> None:
    """Users ``numbers`` of facility ``code`` as identity's appliers write them, in one
    transaction: their events, rows, accounts and assignments, user ``n`` to terminal
    ``terminals[n % len(terminals)]`` (id, name), its row carrying that terminal as its
    live one (migration 0004; the trigger then finds every row right and writes nothing)."""
    facility_id = await conn.fetchval("SELECT facility_id FROM facilities WHERE code = $1", code)
    envelopes: list[Envelope] = []
    users: list[tuple[object, ...]] = []
    accounts: list[tuple[str, str, str]] = []
    assignments: list[tuple[str, str]] = []
    for n in numbers:
        envelope, (account, p) = seed_envelope(code, n)
        envelopes.append(envelope)
        user_id = envelope.aggregate_id
        terminal_id, terminal_name = terminals[n % len(terminals)]
        accounts.append((account.lower(), user_id, "user"))
        users.append((
            user_id, facility_id, account, account.split("@")[0][len(code) + 1:], p.family_name,
            p.given_name, p.email, p.valid_from, p.valid_until, list(p.macs),
            p.hours.start if p.hours else None, p.hours.end if p.hours else None,
            p.file_share, [], 1, envelope.occurred_at, envelope.occurred_at,
            [terminal_id], [terminal_name],
        ))  # fmt: skip
        assignments.append((user_id, terminal_id))
    async with conn.transaction():
        await append(conn, envelopes)  # first write, as decision 0001 wants
        await conn.copy_records_to_table(
            "accounts", records=accounts, columns=["account_key", "owner_id", "kind"]
        )
        await conn.copy_records_to_table(
            "users",
            records=users,
            columns=["user_id", "facility_id", "account", "name", "family_name", "given_name", "email",
                     "valid_from", "valid_until", "macs", "hours_start", "hours_end", "file_share",
                     "federation_targets", "version", "created_at", "updated_at",
                     "live_terminal_ids", "live_terminal_names"],
        )  # fmt: skip
        await conn.copy_records_to_table(
            "user_terminals", records=assignments, columns=["user_id", "terminal_id"]
        )


async def facility_terminals(conn: asyncpg.Connection, code: str) -> list[tuple[str, str]]:
    """(id, name) of the terminals identity has projected for ``code``, in name order."""
    rows = await conn.fetch(
        "SELECT terminal_id, name FROM terminals WHERE facility_code = $1 ORDER BY name", code
    )
    return [(row["terminal_id"], row["name"]) for row in rows]


async def seed_big(bench: Bench) -> dict[str, Any]:
    header(f"seed {BIG_USERS:,} users in facility {BIG_CODE} (bulk appends + state rows)")
    started = time.perf_counter()
    conn = await asyncpg.connect(bench.dsn)
    try:
        terminals = await facility_terminals(conn, BIG_CODE)
        for start in range(0, BIG_USERS, SEED_CHUNK):
            await copy_users(
                conn, BIG_CODE, range(start, min(start + SEED_CHUNK, BIG_USERS)), terminals
            )
        # What autovacuum would do in the next minute, not under the measured load.
        for table in ("users", "user_terminals", "accounts", "events"):
            await conn.execute(f"VACUUM ANALYZE {table}")
    finally:
        await conn.close()
    seeded = time.perf_counter() - started
    row("seeded", seeded, "s", note="not a target; the relay then publishes the events")
    await wait_relayed(bench)
    return {"seed_100k_s": seeded}


async def export_big(bench: Bench) -> dict[str, Any]:
    header(f"「全件CSV出力」 of {BIG_USERS:,} users")
    started = time.perf_counter()
    response = await bench.client.post(
        f"/internal/v1/facilities/{BIG_CODE}/jobs/user-export", headers=bench.headers(BIG_CODE)
    )
    assert response.status_code == 202, response.text
    job, _ = await bench.job(BIG_CODE, response.json()["job_id"])
    assert job["status"] == "done", job
    done = time.perf_counter() - started
    file = await bench.client.get(
        f"/internal/v1/facilities/{BIG_CODE}/jobs/{job['job_id']}/file",
        headers=bench.headers(BIG_CODE),
    )
    elapsed = time.perf_counter() - started
    assert file.status_code == 200 and file.content.startswith(BOM)
    lines = file.content.count(b"\r\n")
    assert lines == BIG_USERS + 1, lines
    row(
        "export 100k",
        elapsed,
        "s",
        target="≤5",
        ok=elapsed <= TARGETS["export_100k_s"],
        note=f"job done at {done:.2f}s, {len(file.content) / 1e6:.1f} MB",
    )
    return {
        "export_100k_s": elapsed,
        "export_100k_job_s": done,
        "export_100k_bytes": len(file.content),
    }


async def list_pages(bench: Bench) -> dict[str, Any]:
    header(f"「ユーザー一覧」 first pages among {BIG_USERS:,} users (sort, 検索条件)")
    queries: list[dict[str, Any]] = [
        {},
        {"sort": "name"},
        {"order": "desc"},
        {"sort": "name", "order": "desc"},
        {"account": "user01234"},
        {"account": "USER0999"},
        {"name": "yamada"},
        {"name": "suzuki user0001"},
        {"email": "hospital"},
        {"email": "user05555@"},
        {"account": "user0", "sort": "name"},
    ]
    url = f"/internal/v1/facilities/{BIG_CODE}/users"
    by_query: dict[str, list[float]] = {}
    latencies: list[float] = []
    for query in queries:  # warm-up: plans and caches, as a running service has them
        await bench.client.get(url, params=query, headers=bench.headers(BIG_CODE))
    rng = random.Random(7)
    for _ in range(LIST_ROUNDS):
        for query in rng.sample(queries, len(queries)):
            started = time.perf_counter()
            response = await bench.client.get(
                url, params={**query, "limit": 50}, headers=bench.headers(BIG_CODE)
            )
            took = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, response.text
            latencies.append(took)
            by_query.setdefault(json.dumps(query, ensure_ascii=False), []).append(took)
    floor: list[float] = []  # the same HTTP path with no work behind it: the machine's share
    for _ in range(LIST_ROUNDS * 3):
        started = time.perf_counter()
        await bench.client.get("/health/live")
        floor.append((time.perf_counter() - started) * 1000)
    floor.sort()
    latencies.sort()
    for shape, values in by_query.items():
        values.sort()
        say(
            f"  {shape:<44} p50 {percentile(values, 50):6.1f} ms   p95 {percentile(values, 95):6.1f} ms"
        )
    p95 = percentile(latencies, 95)
    row(
        "list p95",
        p95,
        "ms",
        target="≤20",
        ok=p95 <= TARGETS["list_p95_ms"],
        note=f"{len(latencies)} requests, p50 {percentile(latencies, 50):.1f} ms",
    )
    row(
        "reference: /health/live p95",
        percentile(floor, 95),
        "ms",
        note=f"p50 {percentile(floor, 50):.1f} ms",
    )
    return {
        "list_p95_ms": p95,
        "list_p50_ms": percentile(latencies, 50),
        "list_requests": len(latencies),
        "health_live_p50_ms": percentile(floor, 50),
        "health_live_p95_ms": percentile(floor, 95),
    }


SECTIONS: list[Section] = [import_new, import_same, seed_big, export_big, list_pages]
"""Run in order; each returns figures for the final JSON line."""


# -- the run ----------------------------------------------------------------------------------


async def run(srv: Servers) -> dict[str, Any]:
    tag = uuid.uuid4().hex[:8]
    database = f"bench_identity_{tag}"
    admin = await asyncpg.connect(srv.postgres_url)
    await admin.execute(f'CREATE DATABASE "{database}"')
    await admin.close()
    dsn = dsn_for(srv.postgres_url, database)
    port = free_port()
    settings = IdentitySettings(
        core=CoreSettings(
            database_url=dsn,
            nats_url=srv.nats_url,
            port=port,
            token_trusted_keys=(GATEWAY_KEY.trusted().text(), OPERATOR_KEY.trusted().text()),
            log_level="warning",
        ),
        events=EventSettings(
            subject_root=f"bi{tag}", stream_prefix=f"BI{tag.upper()}", provision_all_streams=True
        ),
        own=IdentityOwn(totp_key=AT_REST_KEY),
    )
    server = uvicorn.Server(
        uvicorn.Config(
            bootstrap(settings),
            host="127.0.0.1",
            port=port,
            log_config=None,
            log_level="warning",
            access_log=False,
            lifespan="on",
            **SERVER,
        )
    )
    serving = asyncio.create_task(server.serve())
    results: dict[str, Any] = {}
    try:
        while not server.started:
            assert not serving.done(), "identity did not start"
            await asyncio.sleep(0.05)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=120) as client:
            bench = Bench(url=f"http://127.0.0.1:{port}", dsn=dsn, settings=settings, client=client)
            for code in (IMPORT_CODE, BIG_CODE):
                await register(bench, code)
                await publish_terminals(bench, code, 3)
            for section in SECTIONS:
                results |= await section(bench)
    finally:
        server.should_exit = True
        await serving
        admin = await asyncpg.connect(srv.postgres_url)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        finally:
            await admin.close()
    results["targets"] = TARGETS
    results["met"] = {
        key: results[key] <= target for key, target in TARGETS.items() if key in results
    }
    return results


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 3) if abs(value) < 100 else round(value, 1)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return value


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.identity",
        description="Benchmark identity's users area: CSV import and export, user list.",
    )
    parser.parse_args(argv)
    quiet_logs()
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request otherwise
    started = time.perf_counter()
    with servers() as srv:
        result = asyncio.run(run(srv))
    result["wall_s"] = time.perf_counter() - started
    say(f"  (whole run {result['wall_s']:.0f}s)")
    result["machine_reference_ms"] = round(machine_reference_ms(), 1)
    say(json.dumps(_rounded(result), ensure_ascii=False))


if __name__ == "__main__":
    main()
