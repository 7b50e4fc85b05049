"""The servers a test session runs against, and how to get them."""

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from libs.devservers.nats import EmbeddedNats
from libs.devservers.postgres import EmbeddedPostgres


@dataclass
class SessionServers:
    """Where the session's servers are, and how to stop or restart NATS in fault tests."""

    postgres_url: str
    nats_url: str
    nats: "EmbeddedNats | None" = None
    """The embedded NATS server, when there is one: fault tests kill and restart it."""

    def dsn(self, database: str) -> str:
        base, _, _ = self.postgres_url.rpartition("/")
        return f"{base}/{database}"


def _embedded(tmp: Path) -> Iterator[SessionServers]:
    postgres = EmbeddedPostgres(tmp / "pg")
    nats_server = EmbeddedNats(tmp / "nats")
    postgres.start()
    try:
        nats_server.start()
        try:
            yield SessionServers(postgres.dsn("postgres"), nats_server.url, nats_server)
        finally:
            nats_server.stop()
    finally:
        postgres.stop()


def _containers() -> Iterator[SessionServers]:
    from testcontainers.core.container import DockerContainer
    from testcontainers.postgres import PostgresContainer

    with (
        PostgresContainer("postgres:16", driver=None) as pg,
        DockerContainer("nats:2.10").with_command("-js").with_exposed_ports(4222) as nc,
    ):
        url = f"nats://{nc.get_container_host_ip()}:{nc.get_exposed_port(4222)}"
        yield SessionServers(pg.get_connection_url(), url)


async def create_database(servers: SessionServers, prefix: str = "t") -> str:
    """Create a new, empty database and return its DSN."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(servers.postgres_url)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return servers.dsn(name)


def session_servers(tmp: Path) -> Iterator[SessionServers]:
    """Servers named by the environment, in containers, or embedded (the default)."""
    given_pg = os.environ.get("FUMIDAI_TEST_DATABASE_URL")
    given_nats = os.environ.get("FUMIDAI_TEST_NATS_URL")
    if given_pg and given_nats:
        yield SessionServers(given_pg, given_nats)
    elif os.environ.get("FUMIDAI_TEST_DOCKER") == "1":
        yield from _containers()
    else:
        yield from _embedded(tmp)
