"""Retention (SPEC A2): each log's period, the daily schedule, and a purge that blocks nothing."""

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta

import pytest

from libs.events.ids import new_id
from services.audit.adapters.retention_store import PostgresRetention
from services.audit.app.retention import Retention
from services.audit.consumers import PROJECTIONS
from services.audit.settings import AuditOwn
from services.audit.tests import builders as b
from services.audit.tests.callers import bearer
from services.audit.tests.conftest import Audit

SECOND = timedelta(seconds=1)


async def purge(audit: Audit) -> dict[str, int]:
    operator = bearer("ops", "operator", "*")  # tokens live a minute: one per call
    response = await audit.client.post("/internal/v1/operator/audit/purge", headers=operator)
    assert response.status_code == 200, response.text
    assert response.json()["ran"] is True
    deleted: dict[str, int] = response.json()["deleted"]
    return deleted


async def test_a2_each_log_keeps_its_period_2_years_30_days_1_year_2_years(audit: Audit) -> None:
    now = audit.clock.now
    terminal = new_id()
    await audit.publish(
        b.signin("kept", now - timedelta(days=30) + SECOND),
        b.signin("dropped", now - timedelta(days=30) - SECOND),
        b.started(new_id(), "kept", terminal, "998-端末", now - timedelta(days=730) + SECOND),
        b.started(new_id(), "dropped", terminal, "998-端末", now - timedelta(days=730) - SECOND),
        b.terminal(new_id(), "998-kept", now - timedelta(days=730) + SECOND),
        b.terminal(new_id(), "998-dropped", now - timedelta(days=730) - SECOND),
    )
    await audit.publish(
        b.uploaded(new_id(), [("a.txt", 1)], now - timedelta(days=365) + SECOND, owner="kept"),
        b.uploaded(new_id(), [("a.txt", 1)], now - timedelta(days=365) - SECOND, owner="dropped"),
    )

    assert await purge(audit) == {
        "connections": 1, "signins": 1, "fileshare": 1, "operations": 1, "exports": 0, "inbox": 0,
    }  # fmt: skip
    assert await audit.pool.fetchval("SELECT array_agg(account) FROM signin_log") == ["kept"]
    assert await audit.pool.fetchval("SELECT array_agg(account) FROM connection_log") == ["kept"]
    assert await audit.pool.fetchval("SELECT array_agg(account) FROM fileshare_log") == [
        b.account("kept")
    ]
    assert await audit.pool.fetchval("SELECT array_agg(target) FROM operations_log") == ["998-kept"]
    assert await purge(audit) == dict.fromkeys(
        ("connections", "signins", "fileshare", "operations", "exports", "inbox"), 0
    )

    # Inbox ids outlive nothing: once their messages have left the streams (800 days, the
    # sign-in stream 45) they go too, and the logs' rows with them long before; ids from
    # identity's and terminals' streams, kept forever (decision 0036), stay.
    audit.clock.now = now + timedelta(days=3)
    await audit.pool.execute("UPDATE inbox SET applied_at = $1", now - timedelta(days=44))
    deleted = await purge(audit)
    assert deleted["inbox"] == 2  # the two sign-ins' ids, from the sign-in stream

    # Decision 0036: past 800 days the fileshare log's ids go (its stream has aged them
    # out); every projection that reads identity's or terminals' stream keeps its ids, as
    # those streams can deliver them again.
    count = "SELECT count(*) FROM inbox WHERE projection = $1"
    uploads = await audit.pool.fetchval(count, "audit_fileshare")
    sessions = await audit.pool.fetchval(count, "audit_connections")
    assert uploads == 2 and sessions == 2
    await audit.pool.execute("UPDATE inbox SET applied_at = $1", now - timedelta(days=900))
    deleted = await purge(audit)
    assert deleted["inbox"] == uploads
    assert await audit.pool.fetchval(count, "audit_fileshare") == 0
    assert await audit.pool.fetchval(count, "audit_connections") == sessions


# Scheduled as in production (daily), checked often so the test sees it run.
@pytest.mark.parametrize("own", [AuditOwn(purge_check_s=0.1)])
async def test_a2_the_purge_runs_daily_on_its_own(audit: Audit) -> None:
    now = audit.clock.now

    async def last_run() -> object:
        return await audit.pool.fetchval("SELECT last_run_at FROM maintenance_runs")

    async def remaining() -> int:
        return int(await audit.pool.fetchval("SELECT count(*) FROM signin_log"))

    await wait(last_run, now)  # the first look at start-up found it due
    await audit.publish(
        b.signin("old", now - timedelta(days=31)), b.signin("recent", now - timedelta(days=28))
    )
    # Not again within the day: the old row waits for the next run.
    audit.clock.now = now + timedelta(hours=23)
    await asyncio.sleep(0.5)
    assert await remaining() == 2
    audit.clock.now = now + timedelta(days=1)
    await wait(last_run, now + timedelta(days=1))  # recorded once the run has finished
    assert await remaining() == 1


async def wait(
    probe: Callable[[], Awaitable[object]], expected: object, timeout: float = 10.0
) -> None:
    deadline = time.monotonic() + timeout
    while await probe() != expected:
        assert time.monotonic() < deadline
        await asyncio.sleep(0.05)


@pytest.mark.parametrize("own", [AuditOwn(purge_enabled=False, purge_batch=1000)])
async def test_a2_purging_a_large_backlog_blocks_neither_inserts_nor_queries(
    audit: Audit, own: AuditOwn
) -> None:
    now = audit.clock.now
    backlog = 150_000
    # A backlog as after weeks without a purge: old sign-ins across a hundred facilities.
    await audit.pool.execute(
        """INSERT INTO signin_log (facility, occurred_at, event_id, account, user_name, app, step,
               result, reason, ip, correlation_id)
           SELECT lpad((i % 100)::text, 3, '0'), $1::timestamptz - make_interval(secs => i),
                  gen_random_uuid(), 'old-' || i, '', 'リモートアクセス', 'password', 'success',
                  'step_passed', '', ''
           FROM generate_series(1, $2) AS i""",
        now - timedelta(days=40),
        backlog,
    )
    # Purging from this test's own pool and loop: the app's loop stays the inserter's and
    # the query server's, as another replica would be.
    retention = Retention(
        PostgresRetention(lambda: audit.pool), own, audit.settings, PROJECTIONS, audit.clock
    )
    purging = asyncio.create_task(retention.purge(now))
    insert_latencies: list[float] = []
    query_latencies: list[float] = []
    purge_seen_running = 0
    for burst in range(15):
        envelopes = [
            b.signin(f"fresh-{burst}-{i}", now - timedelta(minutes=burst, seconds=i))
            for i in range(10)
        ]
        started = time.perf_counter()
        await audit.publish(*envelopes)  # through NATS and the projection
        insert_latencies.append(time.perf_counter() - started)
        started = time.perf_counter()
        page = await audit.page("signins", filter=[f"account:fresh-{burst}-"])
        query_latencies.append(time.perf_counter() - started)
        assert len(page["rows"]) == 10
        purge_seen_running += not purging.done()
    assert (await purging).deleted["signins"] == backlog
    # The load ran while the purge was deleting, not after it.
    assert purge_seen_running >= 5, (purge_seen_running, insert_latencies, query_latencies)
    assert max(insert_latencies) < 3.0, insert_latencies
    assert max(query_latencies) < 1.0, query_latencies
    assert await audit.pool.fetchval("SELECT count(*) FROM signin_log") == 150
