"""Running a service's real app in-process for tests: its own database, the session's NATS.

``AsyncTestClient`` runs the app's lifespan, so the backbone starts for real: migrations,
streams, relay, projections. Requests go through the whole Litestar stack.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar
from litestar.testing import AsyncTestClient

from libs.events.envelope import Role
from libs.runtime.internal_auth import issue
from libs.runtime.serve import SERVER
from libs.runtime.settings import CoreSettings
from libs.runtime.token_keys import GATEWAY, OPERATOR, SigningKey

TEST_GATEWAY_KEY = SigningKey.generate(GATEWAY, "test-gateway")
"""The gateway's token key in in-process tests (every test app trusts its public half)."""
TEST_OPERATOR_KEY = SigningKey.generate(OPERATOR, "test-operator")
"""Operators' token key in in-process tests."""


def core_settings(database_url: str, nats_url: str, nats_seed_file: str = "") -> CoreSettings:
    """Core settings of a service under test: it trusts the test gateway and operators
    (and, should it be the gateway, signs with the test gateway's key); ``nats_seed_file``:
    the harness's NKey seed."""
    return CoreSettings(
        database_url=database_url,
        nats_url=nats_url,
        nats_nkey_seed_file=nats_seed_file,
        token_signing_key=TEST_GATEWAY_KEY.text(),
        token_trusted_keys=(TEST_GATEWAY_KEY.trusted().text(), TEST_OPERATOR_KEY.trusted().text()),
    )


class Callers:
    """Internal tokens for one service under test (the audience), as its callers sign
    them: operators' with the operator key, everyone else's with the gateway's."""

    def __init__(self, audience: str) -> None:
        self.audience = audience

    def bearer(
        self,
        sub: str,
        role: Role,
        facility: str,
        ip: str = "192.0.2.10",
        *,
        second_password_at: float | None = None,
    ) -> dict[str, str]:
        """Headers with an internal token, as the gateway (or an operator) would send them."""
        key = TEST_OPERATOR_KEY if role == "operator" else TEST_GATEWAY_KEY
        token = issue(
            key,
            audience=self.audience,
            sub=sub,
            role=role,
            facility=facility,
            ip=ip,
            second_password_at=second_password_at,
        )
        return {"Authorization": f"Bearer {token}"}

    def operator(self) -> dict[str, str]:
        return self.bearer("pytest-operator", "operator", "*")


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
