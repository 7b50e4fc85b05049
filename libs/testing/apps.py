"""Running a service's real app in-process for tests: its own database, the session's NATS.

``AsyncTestClient`` runs the app's lifespan, so the backbone starts for real: migrations,
streams, relay, projections. Requests go through the whole Litestar stack.
"""

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar
from litestar.testing import AsyncTestClient

from libs.events.envelope import Role
from libs.runtime.internal_auth import issue
from libs.runtime.serve import SERVER
from libs.runtime.settings import CoreSettings

TEST_SECRET = "test-internal-token-secret-" + secrets.token_hex(8)
"""The internal-token key every in-process test app is built with."""


def core_settings(database_url: str, nats_url: str) -> CoreSettings:
    """Core settings of a service under test."""
    return CoreSettings(
        database_url=database_url, nats_url=nats_url, internal_token_secret=TEST_SECRET
    )


def bearer(sub: str, role: Role, facility: str, ip: str = "192.0.2.10") -> dict[str, str]:
    """Headers with an internal token, as the gateway would send them."""
    token = issue(TEST_SECRET, sub=sub, role=role, facility=facility, ip=ip)
    return {"Authorization": f"Bearer {token}"}


def operator() -> dict[str, str]:
    return bearer("pytest-operator", "operator", "*")


@asynccontextmanager
async def running(app: Litestar) -> AsyncIterator[AsyncTestClient[Litestar]]:
    """A client of ``app`` with its lifespan (startup and shutdown) run for real."""
    async with AsyncTestClient(app=app, timeout=30) as client:
        yield client


@asynccontextmanager
async def served(app: Litestar) -> AsyncIterator[str]:
    """Serve ``app`` over real HTTP on a free loopback port in this event loop; its URL."""
    import asyncio

    import uvicorn

    from libs.devservers.ports import free_port

    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="on", **SERVER)
    )
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            if task.done():
                task.result()  # raises why it could not start
            await asyncio.sleep(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
