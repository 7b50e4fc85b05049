"""The servers a test session runs against, and how to get them."""

import os
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg

from libs.devservers import bus_identities
from libs.devservers.nats import EmbeddedNats
from libs.devservers.natsauth import NatsUser, connect_options, new_user, write_seeds
from libs.devservers.postgres import EmbeddedPostgres


@dataclass
class SessionServers:
    """Where the session's servers are, and how to stop or restart NATS in fault tests."""

    postgres_url: str
    nats_url: str
    nats: "EmbeddedNats | None" = None
    """The embedded NATS server, when there is one: fault tests kill and restart it."""
    harness: NatsUser | None = None
    """The tests' own NATS identity, with every right, when the server runs with
    authorization (the embedded one does): what tests and services run alone connect as."""
    harness_seed_file: str = ""
    """Where the harness's seed is, for settings that name a seed file."""

    def nats_options(self) -> dict[str, Any]:
        """nats.connect keyword arguments that sign in as the harness."""
        return connect_options(self.harness) if self.harness is not None else {}

    def dsn(self, database: str) -> str:
        base, _, _ = self.postgres_url.rpartition("/")
        return f"{base}/{database}"


def _embedded(tmp: Path) -> Iterator[SessionServers]:
    postgres = EmbeddedPostgres(tmp / "pg")
    harness = new_user("harness", None)
    seed_file = write_seeds(tmp / "nats-keys", [harness])["harness"]
    # Authorization on, as ./fumidai up runs it: nothing connects anonymously (decision 0026).
    nats_server = EmbeddedNats(tmp / "nats", users=[harness])
    postgres.start()
    try:
        nats_server.start()
        try:
            yield SessionServers(
                postgres.dsn("postgres"),
                nats_server.url,
                nats_server,
                harness=harness,
                harness_seed_file=str(seed_file),
            )
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


def authorize_suite(
    servers: SessionServers, folder: Path, env: Mapping[str, str]
) -> dict[str, str]:
    """Give a suite about to start with ``env`` one NATS identity per service, each with only
    its own rights (decision 0026); the variables that hand them their seeds.

    Nothing when the session's NATS runs without authorization (a server of yours).
    """
    if servers.nats is None or not servers.nats.authorizing:
        return {}
    users, seeds = bus_identities.issue(folder, env)
    servers.nats.authorize(users)
    return seeds
