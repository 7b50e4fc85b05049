"""A server the service needs is down or restarting (decision 0033): its requests answer
503 problem+json ``service_unavailable`` with ``Retry-After``, not a 500. Real asyncpg:
against a closed port, and a connection PostgreSQL ends."""

import asyncio

import asyncpg
import httpx
from litestar import get
from litestar.testing import create_async_test_client

from libs.devservers.ports import free_port
from libs.runtime.problems import EXCEPTION_HANDLERS, RETRY_AFTER_S


def assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"] == str(RETRY_AFTER_S)
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == "service_unavailable"
    assert body["title"] == "サービスが一時的に利用できません。時間をおいて再度お試しください。"


async def test_a_refused_database_is_a_503_to_retry() -> None:
    port = free_port()

    @get("/read")
    async def read() -> None:
        await asyncpg.connect(f"postgresql://postgres@127.0.0.1:{port}/postgres")

    async with create_async_test_client([read], exception_handlers=EXCEPTION_HANDLERS) as client:
        assert_unavailable(await client.get("/read"))


async def test_a_connection_postgresql_ends_is_a_503_to_retry(database_url: str) -> None:
    @get("/read")
    async def read() -> None:
        conn = await asyncpg.connect(database_url)
        try:
            query = asyncio.create_task(conn.fetchval("SELECT pg_sleep(30)"))
            killer = await asyncpg.connect(database_url)
            try:
                while not await killer.fetchval(
                    "SELECT count(*) FROM pg_stat_activity WHERE pid = $1 AND state = 'active'",
                    conn.get_server_pid(),
                ):
                    await asyncio.sleep(0.01)
                # What a PostgreSQL shutting down does to the query under way.
                await killer.execute("SELECT pg_terminate_backend($1)", conn.get_server_pid())
            finally:
                await killer.close()
            await query
        finally:
            await conn.close()

    @get("/bug")
    async def bug() -> None:
        raise RuntimeError("a bug stays a 500")

    async with create_async_test_client(
        [read, bug], exception_handlers=EXCEPTION_HANDLERS
    ) as client:
        assert_unavailable(await client.get("/read"))
        assert (await client.get("/bug")).status_code == 500


async def test_a_connection_closed_under_the_service_is_a_503_and_misuse_stays_a_500(
    database_url: str,
) -> None:
    @get("/closed")
    async def closed() -> None:
        conn = await asyncpg.connect(database_url)
        conn.terminate()  # what a pooled connection is once its server went away
        await conn.fetchval("SELECT 1")

    @get("/misuse")
    async def misuse() -> None:
        raise asyncpg.InterfaceError("cannot perform operation: another operation is in progress")

    async with create_async_test_client(
        [closed, misuse], exception_handlers=EXCEPTION_HANDLERS
    ) as client:
        assert_unavailable(await client.get("/closed"))
        assert (await client.get("/misuse")).status_code == 500


async def test_a_connection_postgresql_ended_while_idle_is_a_503_and_a_protocol_bug_a_500() -> None:
    @get("/farewell")
    async def farewell() -> None:
        # What asyncpg raises on a pooled connection that got PostgreSQL's FATAL while idle
        # (seen under tests/faults/ as PostgreSQL stopped; cannot be timed from a test).
        raise asyncpg.InternalClientError(
            "cannot switch to state 12; another operation (2) is in progress"
        )

    @get("/bug")
    async def bug() -> None:
        raise asyncpg.InternalClientError("unknown error in protocol implementation")

    async with create_async_test_client(
        [farewell, bug], exception_handlers=EXCEPTION_HANDLERS
    ) as client:
        assert_unavailable(await client.get("/farewell"))
        assert (await client.get("/bug")).status_code == 500
