"""The gateway sends a service the same internal token for the same actor for a while,
and a fresh one to each other service and actor (decision 0048)."""

import asyncio
from collections.abc import AsyncIterator

import pytest

from libs.runtime.internal_auth import Verifier
from libs.runtime.token_keys import GATEWAY, SigningKey
from services.gateway.adapters.upstream_pool import ConnectionPool
from services.gateway.adapters.upstreams import Acting, Upstreams
from services.gateway.settings import UpstreamSettings

KEY = SigningKey.generate(GATEWAY)
ADMIN = Acting(sub="admin-1", role="admin", facility="f1", ip="192.0.2.1")


@pytest.fixture
async def heard() -> AsyncIterator[tuple[str, list[bytes]]]:
    """A service on loopback answering 200 to everything; the Authorization headers it heard."""
    authorizations: list[bytes] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while head := await reader.readuntil(b"\r\n\r\n"):
                for line in head.split(b"\r\n"):
                    name, _, value = line.partition(b":")
                    if name.lower() == b"authorization":
                        authorizations.append(value.strip())
                writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}", authorizations
    server.close()


async def test_one_token_per_service_and_actor_while_it_is_young(
    heard: tuple[str, list[bytes]],
) -> None:
    url, authorizations = heard
    upstreams = Upstreams(UpstreamSettings(identity_url=url, audit_url=url), KEY)
    upstreams.pools = {"identity": [ConnectionPool(url)], "audit": [ConnectionPool(url)]}
    other = Acting(sub="admin-2", role="admin", facility="f1", ip="192.0.2.1")
    for service, acting in [("identity", ADMIN), ("identity", ADMIN), ("audit", ADMIN)]:
        await upstreams.call(service, "GET", "/internal/v1/x", acting)
    await upstreams.call("identity", "GET", "/internal/v1/x", other)
    await upstreams.call("identity", "GET", "/internal/v1/x", ADMIN)
    for pools in upstreams.pools.values():
        pools[0].close()
    tokens = [value.removeprefix(b"Bearer ").decode() for value in authorizations]
    assert len(tokens) == 5
    assert tokens[0] == tokens[1] == tokens[4]
    assert len({tokens[0], tokens[2], tokens[3]}) == 3
    identity = Verifier("identity", {KEY.kid: KEY.trusted()})
    assert identity.verify(tokens[0]).sub == "admin-1"
    assert identity.verify(tokens[3]).sub == "admin-2"
    assert Verifier("audit", {KEY.kid: KEY.trusted()}).verify(tokens[2]).aud == "audit"
