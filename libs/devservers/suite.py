"""The five services as child processes (``python -m services.<name>``), for ``up`` and tests.

Each service gets its own database on the given PostgreSQL server, a port, the shared
NATS URL and the public keys of the callers whose internal tokens it accepts (the gateway
also its own signing key); their JSON logs go to one file per service.

With ``replicas`` above 1 (``./fumidai up --cluster``, decision 0039) each service runs as
that many processes — instances ``identity``, ``identity-2`` … — on ports of their own and
one database; the gateway is handed every replica's URL of each service.
"""

import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import asyncpg
import httpx

from libs.devservers._process import die_with_parent, log_tail
from libs.devservers.ports import quiet_port
from libs.runtime.token_keys import GATEWAY, OPERATOR, SigningKey, TrustedKey

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("identity", "terminals", "audit", "fileshare", "gateway")
UI_DIST = ROOT / "ui" / "dist"
"""The admin console as ``./fumidai up`` builds it; the gateway serves it at /."""
TOKEN_CALLERS: dict[str, tuple[str, ...]] = {
    "identity": (GATEWAY, OPERATOR),
    "terminals": (GATEWAY, OPERATOR),
    "audit": (GATEWAY, OPERATOR),
    "fileshare": (GATEWAY,),
}
"""Whose internal tokens each service accepts: the real call graph. The gateway calls all
four; operators' tools act on identity (facilities, admins), terminals (credentials) and
audit (purge), never on fileshare. deploy/ hands out the same keys (docs/decisions/0027)."""


def fresh_token_keys() -> dict[str, SigningKey]:
    """A new signing key for each caller: the gateway and operators."""
    return {issuer: SigningKey.generate(issuer) for issuer in (GATEWAY, OPERATOR)}


class SuiteError(Exception):
    """A service did not become ready, or died."""


async def ensure_databases(postgres_url: str, names: list[str]) -> None:
    """Create the named databases on the server at ``postgres_url`` when missing."""
    conn = await asyncpg.connect(postgres_url)
    try:
        existing = {r["datname"] for r in await conn.fetch("SELECT datname FROM pg_database")}
        for name in names:
            if name not in existing:
                await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


def database_url(postgres_url: str, database: str) -> str:
    """``postgres_url`` pointing at ``database`` instead."""
    base, _, _ = postgres_url.rpartition("/")
    return f"{base}/{database}"


@dataclass
class Suite:
    """The running services: their ports, URLs and processes."""

    postgres_url: str
    nats_url: str
    log_dir: Path
    database_prefix: str = "fumidai_"
    gateway_port: int | None = None
    extra_env: Mapping[str, str] = field(default_factory=dict)
    totp_key: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    """identity's key for authenticator secrets at rest; ``up`` keeps one in ``.fumidai/``."""
    token_keys: dict[str, SigningKey] = field(default_factory=fresh_token_keys)
    """Each caller's current signing key by issuer; ``up`` keeps them in ``.fumidai/``."""
    also_trusted: tuple[TrustedKey, ...] = ()
    """Further public keys the services accept (besides the current ones): a key roll."""
    replicas: int = 1
    """Processes per service (decision 0039): instance names ``<service>``, ``<service>-2`` …"""
    ports: dict[str, int] = field(default_factory=dict)
    """By instance name (the first replica's is the service's name)."""
    metrics_ports: dict[str, int] = field(default_factory=dict)
    """The gateway instances' monitoring listeners (its public port serves no /metrics)."""
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    _logs: dict[str, IO[bytes]] = field(default_factory=dict)
    _env: dict[str, str] = field(default_factory=dict)

    def database(self, service: str) -> str:
        return f"{self.database_prefix}{service}"

    def database_url(self, service: str) -> str:
        return database_url(self.postgres_url, self.database(service))

    def url(self, instance: str) -> str:
        """An instance's base URL; a service's name is its first replica."""
        return f"http://127.0.0.1:{self.ports[instance]}"

    def instances(self, service: str) -> list[str]:
        """``service``'s replicas by instance name, the first named as the service."""
        return [service, *(f"{service}-{n}" for n in range(2, self.replicas + 1))]

    def all_instances(self) -> list[str]:
        """Every instance, in ``SERVICES``' order."""
        return [instance for service in SERVICES for instance in self.instances(service)]

    def urls(self, service: str) -> list[str]:
        return [self.url(instance) for instance in self.instances(service)]

    async def prepare(self) -> None:
        """Create every service's database."""
        await ensure_databases(self.postgres_url, [self.database(s) for s in SERVICES])

    def environment(self) -> dict[str, str]:
        """The variables every service process starts with."""
        for instance in self.all_instances():
            if instance not in self.ports:
                wanted = self.gateway_port if instance == "gateway" else None
                self.ports[instance] = wanted or quiet_port()
        for gateway in self.instances("gateway"):
            if gateway not in self.metrics_ports:
                self.metrics_ports[gateway] = quiet_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("FUMIDAI_")}
        env.update(
            {
                "FUMIDAI_NATS_URL": self.nats_url,
                "FUMIDAI_IDENTITY_TOTP_KEY": self.totp_key,
                "PYTHONUNBUFFERED": "1",
                # JSON lines, which tests read; ``up`` asks for text, for people.
                "FUMIDAI_LOG_FORMAT": "json",
            }
        )
        for service in SERVICES:
            upper = service.upper()
            env[f"FUMIDAI_{upper}_DATABASE_URL"] = self.database_url(service)
            env[f"FUMIDAI_{upper}_PORT"] = str(self.ports[service])
            if service != "gateway":
                env[f"FUMIDAI_GATEWAY_{upper}_URL"] = ",".join(self.urls(service))
        # The gateway forwards agents' addresses; terminals believes it (and only it).
        env["FUMIDAI_TERMINALS_TRUSTED_PROXIES"] = "127.0.0.1"
        env["FUMIDAI_GATEWAY_UI_DIR"] = str(UI_DIST)
        # Served over plain http on this machine: the one place a session cookie goes
        # without Secure (the gateway's default is Secure, docs/decisions/0028).
        env["FUMIDAI_GATEWAY_COOKIE_SECURE"] = "false"
        # The base of the links identity mails (「パスワードを忘れた場合」): the gateway's URL.
        env["FUMIDAI_IDENTITY_PUBLIC_URL"] = self.url("gateway")
        env.update(self.extra_env)
        return env

    def token_environment(self, service: str) -> dict[str, str]:
        """``service``'s token keys: the public keys of the callers it accepts; for the
        gateway, its own signing key. No service sees another's private key."""
        upper = service.upper()
        if service == "gateway":
            return {"FUMIDAI_GATEWAY_TOKEN_SIGNING_KEY": self.token_keys[GATEWAY].text()}
        callers = TOKEN_CALLERS[service]
        current = [self.token_keys[issuer].trusted() for issuer in callers]
        rolled = [key for key in self.also_trusted if key.issuer in callers]
        keys = ",".join(key.text() for key in [*current, *rolled])
        return {f"FUMIDAI_{upper}_TOKEN_TRUSTED_KEYS": keys}

    def start(self) -> None:
        """Start every service; return at once (see ``wait_ready``)."""
        self._env = self.environment()
        self.log_dir.mkdir(parents=True, exist_ok=True)
        for instance in self.all_instances():
            self._spawn(instance)

    def restart(self, instance: str) -> None:
        """Start ``instance`` again (after it died), on its port and with its settings."""
        process = self.processes.get(instance)
        if process is not None and process.poll() is None:
            return
        self._spawn(instance)

    def is_running(self, instance: str) -> bool:
        process = self.processes.get(instance)
        return process is not None and process.poll() is None

    def exit_code(self, instance: str) -> int | None:
        """``instance``'s exit code once it has exited (negative: the signal that killed it)."""
        process = self.processes.get(instance)
        return None if process is None else process.poll()

    def _instance_environment(self, instance: str) -> dict[str, str]:
        """What differs between replicas of one service: the ports they listen on."""
        service = instance.partition("-")[0]
        env = {f"FUMIDAI_{service.upper()}_PORT": str(self.ports[instance])}
        if service == "gateway":
            env["FUMIDAI_GATEWAY_METRICS_PORT"] = str(self.metrics_ports[instance])
        return {**env, **self.token_environment(service)}

    def _spawn(self, instance: str) -> None:
        if instance not in self._logs:
            # Kept open across restarts; closed in stop().
            self._logs[instance] = open(self.log_dir / f"{instance}.log", "ab")  # noqa: SIM115
        self.processes[instance] = subprocess.Popen(
            [sys.executable, "-m", f"services.{instance.partition('-')[0]}"],
            cwd=ROOT,
            env={**self._env, **self._instance_environment(instance)},
            stdout=self._logs[instance],
            stderr=subprocess.STDOUT,
            # Own session: a Ctrl-C at the terminal reaches ``up`` alone, which stops the
            # services in order; a service that died of it would look like a crash.
            start_new_session=True,
            preexec_fn=die_with_parent(signal.SIGTERM),
        )

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Block until every service answers 200 on ``/health/ready``."""
        deadline = time.monotonic() + timeout
        pending = set(self.all_instances())
        while pending:
            for instance in sorted(pending):
                process = self.processes[instance]
                if process.poll() is not None:
                    log = self.log_dir / f"{instance}.log"
                    raise SuiteError(
                        f"{instance} exited with {process.returncode}; {log}:\n"
                        + log_tail(log, lines=15)
                    )
                try:
                    response = httpx.get(f"{self.url(instance)}/health/ready", timeout=1.0)
                except httpx.HTTPError:
                    continue
                if response.status_code == 200:
                    pending.discard(instance)
            if pending and time.monotonic() > deadline:
                raise SuiteError(f"not ready after {timeout}s: {', '.join(sorted(pending))}")
            if pending:
                time.sleep(0.2)

    def stop(self, timeout: float = 15.0) -> dict[str, int | None]:
        """SIGTERM every service (gateway first), wait, SIGKILL stragglers; exit codes."""
        for instance in reversed(self.all_instances()):
            process = self.processes.get(instance)
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        codes: dict[str, int | None] = {}
        for service, process in self.processes.items():
            try:
                codes[service] = process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                codes[service] = process.wait()
        for log in self._logs.values():
            log.close()
        self._logs = {}
        self.processes = {}
        return codes
