"""The whole product in its scaled-out shape on one machine (decision 0039).

Three NATS nodes clustered with JetStream, every stream and the object store R3; two
replicas of every service (the gateway's spread calls across the others'); one
PostgreSQL, clamd and a mail catcher. ``./fumidai up --cluster`` runs it until Ctrl-C;
tests and ``bench/faults.py`` start it with ``LocalCluster(...).start()``.
"""

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from libs.devservers import bus_identities
from libs.devservers.fileshare import FileshareServers
from libs.devservers.nats_cluster import NatsCluster
from libs.devservers.natsauth import NatsUser
from libs.devservers.postgres import EmbeddedPostgres
from libs.devservers.suite import Suite, fresh_token_keys
from libs.runtime.token_keys import SigningKey

NODES = 3
REPLICAS = 2
"""Processes per service; each a consumer of the same durables, sharing their work."""
STREAM_REPLICAS = 3


def cluster_env(nodes: int = NODES) -> dict[str, str]:
    """What every service (and the provisioner) reads differently in a cluster."""
    return {"FUMIDAI_EVENTS_REPLICAS": str(min(nodes, STREAM_REPLICAS))}


@dataclass
class LocalCluster:
    """Everything under ``folder``: PostgreSQL's data, each NATS node's store, the logs."""

    folder: Path
    say: Callable[[str], None] = lambda _: None
    gateway_port: int | None = None
    token_keys: dict[str, SigningKey] = field(default_factory=fresh_token_keys)
    totp_key: str | None = None
    replicas: int = REPLICAS
    nodes: int = NODES
    """NATS nodes; 1 with ``replicas`` 1 is the single shape, for a bench to compare."""
    extra_env: dict[str, str] = field(default_factory=dict)
    """More settings for every service (a test's shorter intervals, say)."""
    also_users: list[NatsUser] = field(default_factory=list)
    """More NATS identities let in (a test harness's own, with every right)."""
    postgres: EmbeddedPostgres | None = None
    nats: NatsCluster | None = None
    fileshare: FileshareServers | None = None
    suite: Suite | None = None
    provisioner: NatsUser | None = None
    """May read every stream's info (and create and update streams): what tests look with."""

    def start(self, ready_timeout: float = 240.0) -> Suite:
        """Start the servers, then every replica; return once each answers ready."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self.folder.chmod(0o755)
        env = {**cluster_env(self.nodes), **self.extra_env}
        self.say(f"starting PostgreSQL, {self.nodes} NATS node(s), clamd and a mail catcher ...")
        self.postgres = EmbeddedPostgres(self.folder / "postgres")
        self.postgres.start()
        users, seeds = bus_identities.issue(self.folder / "nats-keys", env, ["siem"])
        provisioner = self.provisioner = bus_identities.provisioner_user(env)
        self.nats = NatsCluster(
            self.folder, [*users, provisioner, *self.also_users], size=self.nodes
        )
        self.nats.start()
        asyncio.run(bus_identities.provision(self.nats.urls[0], provisioner, env))
        self.fileshare = FileshareServers(self.folder, self.say)
        fileshare_env = self.fileshare.start()
        suite = Suite(
            postgres_url=self.postgres.dsn("postgres"),
            nats_url=self.nats.url,
            log_dir=self.folder / "logs",
            token_keys=self.token_keys,
            gateway_port=self.gateway_port,
            replicas=self.replicas,
            extra_env={**fileshare_env, **seeds, **env},
        )
        if self.totp_key is not None:
            suite.totp_key = self.totp_key
        self.suite = suite
        asyncio.run(suite.prepare())
        self.say(f"starting {self.replicas} replicas of every service ...")
        suite.start()
        suite.wait_ready(ready_timeout)
        return suite

    def stop(self) -> None:
        """Stop whatever started, services first; safe to call at any point."""
        if self.suite is not None:
            self.suite.stop()
        if self.fileshare is not None:
            self.fileshare.stop()
        if self.nats is not None:
            self.nats.stop()
        if self.postgres is not None:
            self.postgres.stop()
