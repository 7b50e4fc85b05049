"""Sessions, CSRF and headers of the public API (SPEC L5), without the services behind."""

import asyncio
import time
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from services.gateway.adapters.session_cache import CHANNEL, SessionCache
from services.gateway.adapters.sessions import SessionStore
from services.gateway.api.auth import COOKIE
from services.gateway.api.security_headers import CONTENT_SECURITY_POLICY
from services.gateway.domain.sessions import Grant
from services.gateway.settings import GatewayOwn
from services.gateway.tests.conftest import Client

GRANT = Grant(
    account_id="a1",
    account="998-operation-admin01@nrasdev.onmicrosoft.com",
    role="admin",
    facility="998",
    facility_id="f1",
    app="メンテナンスツール",
)


async def test_l5_every_response_has_the_security_headers(gateway: Client) -> None:
    response = await gateway.get("/health/live")
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"


async def test_issue16_4_a_gateway_told_nothing_is_served_over_https(gateway: Client) -> None:
    """Nothing said about the cookies: Secure ones and HSTS (decision 0028). Only a suite
    on plain http (``./fumidai up``, the tests) turns it off, and says so."""
    assert GatewayOwn().cookie_secure is True
    response = await gateway.get("/health/live")
    assert response.headers["strict-transport-security"] == "max-age=63072000"


@pytest.mark.parametrize("path", ["/api/v1/session/password", "/user-api/v1/session/password"])
async def test_issue16_5_a_sign_in_step_must_be_json(gateway: Client, path: str) -> None:
    """A cross-site form posts ``text/plain`` without a preflight: refused before anything."""
    body = '{"account": "a@x.example", "password": "x", "app": "ファイル共有"}'
    for media in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data"):
        answer = await gateway.post(path, content=body, headers={"Content-Type": media})
        assert answer.status_code == 415, (media, answer.text)
        assert answer.json()["code"] == "json_required"


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
        {"Origin": "http://testserver.local", "Sec-Fetch-Site": "cross-site"},
    ],
)
async def test_issue16_5_a_browser_on_another_site_cannot_sign_in(
    gateway: Client, headers: dict[str, str]
) -> None:
    for path in ("/api/v1/session/password", "/api/v1/session/totp"):
        body = {"account": "a@x.example", "password": "x", "handle": "h", "code": "123456"}
        answer = await gateway.post(path, json=body, headers=headers)
        assert answer.status_code == 403, (path, answer.text)
        assert answer.json()["code"] == "cross_site_sign_in"


async def test_issue16_5_a_later_step_needs_the_browser_that_began_it(gateway: Client) -> None:
    """A handle without the cookie the first step set is refused before identity hears it."""
    for step, body in [
        ("totp", {"code": "123456"}),
        ("new-password", {"new_password": "Kq7#mB2$vX9!pL4z"}),
        ("second-password", {"second_password": "x"}),
    ]:
        answer = await gateway.post(
            f"/user-api/v1/session/{step}" if step == "totp" else f"/api/v1/session/{step}",
            json={"handle": "stolen-handle", **body},
        )
        assert answer.status_code == 403, (step, answer.text)
        assert answer.json()["code"] == "signin_not_bound"


async def test_l5_signed_out_requests_are_401_problems(gateway: Client) -> None:
    response = await gateway.get("/api/v1/session")
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    gateway.cookies.set(COOKIE, "forged")
    forged = await gateway.get("/api/v1/session")
    assert forged.status_code == 401


async def test_l5_cookie_session_needs_csrf_for_state_changes(
    gateway: Client, store: SessionStore
) -> None:
    token, session = await store.open(GRANT, ip="192.0.2.1", user_agent="t")
    gateway.cookies.set(COOKIE, token)
    current = await gateway.get("/api/v1/session")
    assert current.status_code == 200
    assert current.json()["csrf_token"] == session.csrf_token
    refused = await gateway.delete("/api/v1/session")
    assert refused.status_code == 403
    assert refused.json()["code"] == "csrf_failed"
    wrong = await gateway.delete("/api/v1/session", headers={"X-CSRF-Token": "nope"})
    assert wrong.status_code == 403
    signed_out = await gateway.delete(
        "/api/v1/session", headers={"X-CSRF-Token": session.csrf_token}
    )
    assert signed_out.status_code == 204
    assert (await gateway.get("/api/v1/session")).status_code == 401  # revoked on the server


async def test_l5_bearer_sessions_need_no_csrf(gateway: Client, store: SessionStore) -> None:
    token, _ = await store.open(GRANT, ip=None, user_agent=None)
    headers = {"Authorization": f"Bearer {token}"}
    assert (await gateway.get("/api/v1/session", headers=headers)).status_code == 200
    assert (await gateway.delete("/api/v1/session", headers=headers)).status_code == 204
    assert (await gateway.get("/api/v1/session", headers=headers)).status_code == 401


@pytest.mark.parametrize("kept", [False, True], ids=["read-each-time", "kept-by-the-replica"])
async def test_l5_idle_and_absolute_timeouts(
    database_url: str, gateway: Client, kept: bool
) -> None:
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=2)
    now = [datetime(2026, 11, 27, 9, 0, tzinfo=UTC)]
    cache = SessionCache(database_url, ttl_s=3600) if kept else None
    if cache is not None:
        await cache.start()
        while not cache.listening:
            await asyncio.sleep(0.01)
    store = SessionStore(
        lambda: pool,
        idle=timedelta(minutes=30),
        absolute=timedelta(hours=12),
        clock=lambda: now[0],
        cache=cache,
    )
    token, _ = await store.open(GRANT, ip=None, user_agent=None)
    now[0] += timedelta(minutes=29)
    assert await store.resolve(token) is not None  # touched: idle restarts
    now[0] += timedelta(minutes=29)
    assert await store.resolve(token) is not None
    now[0] += timedelta(minutes=31)
    assert await store.resolve(token) is None  # idle for 31 minutes

    token, _ = await store.open(GRANT, ip=None, user_agent=None)
    opened = now[0]
    for _ in range(30):  # active every 29 minutes: only the absolute limit can end it
        now[0] += timedelta(minutes=29)
        if await store.resolve(token) is None:
            break
    lived = now[0] - opened
    assert timedelta(hours=12) <= lived < timedelta(hours=12, minutes=29)
    assert await store.resolve(token) is None
    if cache is not None:
        await cache.stop()
    await pool.close()


async def test_l5_revoking_an_account_ends_all_its_sessions(store: SessionStore) -> None:
    tokens = [(await store.open(GRANT, ip=None, user_agent=None))[0] for _ in range(3)]
    assert await store.revoke_account("a1") == 3
    for token in tokens:
        assert await store.resolve(token) is None


async def test_sign_in_is_rate_limited_per_account(gateway: Client) -> None:
    limit = GatewayOwn().signin_per_account
    blocked = None
    for _ in range(limit + 1):
        blocked = await gateway.post(
            "/api/v1/session/password", json={"account": "victim@x.example", "password": "x"}
        )
    assert blocked is not None and blocked.status_code == 429
    assert blocked.json()["code"] == "too_many_attempts"


# -- Sessions kept by a replica (services/gateway/adapters/session_cache.py) -----------------------


async def replica(database_url: str, ttl_s: float = 30.0) -> tuple[SessionStore, asyncpg.Pool]:
    """A gateway replica's session store: its own pool, its own cache, listening."""
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=2)
    cache = SessionCache(database_url, ttl_s)
    await cache.start()
    for _ in range(100):
        if cache.listening:
            break
        await asyncio.sleep(0.02)
    assert cache.listening
    store = SessionStore(
        lambda: pool, idle=timedelta(minutes=30), absolute=timedelta(hours=12), cache=cache
    )
    return store, pool


async def gone(store: SessionStore, token: str, within_s: float = 2.0) -> bool:
    """Whether ``store`` stops resolving ``token`` within ``within_s``."""
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        if await store.resolve(token) is None:
            return True
        await asyncio.sleep(0.01)
    return False


async def test_l5_a_revocation_on_one_replica_ends_the_session_kept_by_another(
    database_url: str, gateway: Client
) -> None:
    del gateway  # its migrations create the tables
    (a, pool_a), (b, pool_b) = await replica(database_url), await replica(database_url)
    try:
        token, _ = await a.open(GRANT, ip=None, user_agent=None)
        assert await b.resolve(token) is not None
        # Kept: b answers from memory even when the row is gone from under it ...
        async with pool_b.acquire() as conn:
            await conn.execute("UPDATE sessions SET csrf_token = 'changed' WHERE csrf_token <> ''")
        kept = await b.resolve(token)
        assert kept is not None and kept.csrf_token != "changed"
        # ... but a sign-out on a reaches b at once, not after the cache's 30 seconds.
        await a.revoke(token)
        assert await gone(b, token, within_s=2.0)

        others = [(await a.open(GRANT, ip=None, user_agent=None))[0] for _ in range(2)]
        for other in others:
            assert await b.resolve(other) is not None
        assert await a.revoke_account(GRANT.account_id) == 2
        for other in others:
            assert await gone(b, other)

        token, _ = await a.open(GRANT, ip=None, user_agent=None)
        before = await b.resolve(token)
        assert before is not None and before.second_password_at is None
        await a.mark_second_password(token)
        deadline = time.monotonic() + 2.0
        while (seen := await b.resolve(token)) is not None and seen.second_password_at is None:
            assert time.monotonic() < deadline, "the second password never reached b"
            await asyncio.sleep(0.01)
    finally:
        for store, pool in ((a, pool_a), (b, pool_b)):
            assert store.cache is not None
            await store.cache.stop()
            await pool.close()


async def test_l5_a_replica_that_cannot_listen_keeps_nothing(
    database_url: str, gateway: Client
) -> None:
    """Lost notifications must not leave a revoked session standing: without its listening
    connection a replica reads every session from the database."""
    del gateway
    (b, pool_b) = await replica(database_url)
    assert b.cache is not None
    try:
        token, _ = await b.open(GRANT, ip=None, user_agent=None)
        assert await b.resolve(token) is not None
        async with pool_b.acquire() as conn:
            # This replica's listening connection (and the in-process app's: it recovers).
            ended = await conn.fetchval(
                """SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                   WHERE query LIKE 'LISTEN%' || $1 || '%' AND datname = current_database()) t""",
                CHANNEL,
            )
            assert ended >= 1
            # Revoked behind every replica's back: no NOTIFY.
            await conn.execute("UPDATE sessions SET revoked_at = now() WHERE revoked_at IS NULL")
        for _ in range(100):
            if not b.cache.listening:
                break
            await asyncio.sleep(0.01)
        assert await b.resolve(token) is None
        for _ in range(300):  # it listens again (a retry a second later) and keeps again
            if b.cache.listening:
                break
            await asyncio.sleep(0.01)
        assert b.cache.listening
    finally:
        await b.cache.stop()
        await pool_b.close()


async def test_l5_a_session_is_kept_no_longer_than_the_cache_allows(
    database_url: str, gateway: Client
) -> None:
    del gateway
    (b, pool_b) = await replica(database_url, ttl_s=0.3)
    assert b.cache is not None
    try:
        token, _ = await b.open(GRANT, ip=None, user_agent=None)
        assert await b.resolve(token) is not None
        await pool_b.execute("UPDATE sessions SET revoked_at = now() WHERE revoked_at IS NULL")
        assert await gone(b, token, within_s=1.0)
    finally:
        await b.cache.stop()
        await pool_b.close()


@pytest.mark.parametrize(
    ("reason", "ended"), [("initial", True), ("expired", True), ("voluntary", False)]
)
async def test_a_password_changed_at_sign_in_ends_the_earlier_sessions(
    store: SessionStore, database_url: str, reason: str, ended: bool
) -> None:
    """Issue 16 item 6 (docs/decisions/0021): a password changed at sign-in (first, after a
    reset, or expired) ends the sessions opened before; a voluntary change leaves them to
    the gateway's route, which keeps the session that made it and ends the others."""
    from libs.events.catalogue.credentials import AdminPasswordChanged
    from libs.events.envelope import Actor, envelop
    from services.gateway.consumers import SessionRevocations

    tokens = [(await store.open(GRANT, ip=None, user_agent=None))[0] for _ in range(2)]
    changed = envelop(
        AdminPasswordChanged(account=GRANT.account, reason=reason),  # type: ignore[arg-type]
        facility="998",
        aggregate_id=GRANT.account_id,
        version=2,
        actor=Actor(id=GRANT.account, role="admin"),
        occurred_at=datetime.now(UTC) + timedelta(seconds=1),
    )
    conn = await asyncpg.connect(database_url)
    try:
        await SessionRevocations().apply(conn, changed)
    finally:
        await conn.close()
    for token in tokens:
        assert (await store.resolve(token) is None) == ended


async def test_revoke_others_keeps_the_session_that_changed_the_password(
    store: SessionStore,
) -> None:
    mine, theirs, third = [(await store.open(GRANT, ip=None, user_agent=None))[0] for _ in "abc"]
    assert await store.revoke_others(mine, GRANT.account_id) == 2
    assert await store.resolve(mine) is not None
    assert await store.resolve(theirs) is None and await store.resolve(third) is None
