"""A private ClamAV daemon (Debian's ``clamav-daemon``) on a loopback port, for tests and ``up``.

It has its own configuration, TCP port, Unix socket, temporary folder and log under
``state_dir``, and never touches the system's clamd. Signatures come from the official
database in ``/var/lib/clamav`` when freshclam has put one there; otherwise (an offline
machine) from a test database written here that knows only EICAR — and then it says so
loudly, because such a scanner finds nothing else. ``AlertEncryptedArchive`` is on, so a
password-protected archive is reported (SPEC F1, F3), and so is ``AlertExceedsMax``, so a
file past clamd's limits is reported instead of silently passing half-scanned.

clamd runs as root without complaint, but it parses hostile files: when we are root it
runs as Debian's unprivileged ``clamav`` user (created by the package) instead, and where
that user cannot reach ``state_dir`` (a clone in root's home), the folder links to one
under /var/lib/fumidai (``libs.devservers.reach``).
"""

import contextlib
import logging
import os
import pwd
import shutil
import socket
from pathlib import Path
from typing import Any, Final

from libs.devservers._process import ServerProcess
from libs.devservers.ports import LOOPBACK
from libs.devservers.reach import Account, reachable_folder, run_as

log = logging.getLogger("fumidai.devservers.clamd")

OFFICIAL_DATABASE: Final = Path("/var/lib/clamav")
SYSTEM_USER: Final = "clamav"
PACKAGE: Final = "clamav-daemon"
EICAR_SIGNATURE: Final = "44d88612fea8a8f36de82e1278abb02f:68:Eicar-Test-Signature\n"
"""EICAR's MD5, size and a name, in ClamAV's ``.hdb`` hash-signature format."""

TEST_SIGNATURES_WARNING: Final = (
    "clamd runs with TEST SIGNATURES ONLY (EICAR): no official ClamAV database in "
    f"{OFFICIAL_DATABASE}; real malware will NOT be found. Run freshclam to get one."
)
_SOCKET_PATH_MAX: Final = 107


class ClamdError(Exception):
    """clamd is not installed, or did not start and answer PING."""


def clamd_binary() -> Path:
    """The clamd executable (Debian puts it in /usr/sbin, off a normal user's PATH)."""
    found = shutil.which("clamd") or shutil.which("clamd", path="/usr/sbin:/usr/local/sbin")
    if found is None:
        raise ClamdError(
            f"clamd not found: install Debian's {PACKAGE} (./fumidai test and up do it as root)"
        )
    return Path(found)


def official_database(folder: Path = OFFICIAL_DATABASE) -> Path | None:
    """``folder`` when it holds the official main and daily databases, else None."""
    names = {p.name for p in folder.glob("*")} if folder.is_dir() else set()
    has_main = bool(names & {"main.cvd", "main.cld"})
    has_daily = bool(names & {"daily.cvd", "daily.cld"})
    return folder if has_main and has_daily else None


def ping(host: str, port: int, timeout: float = 1.0) -> bool:
    """True when a clamd at ``host:port`` answers PING."""
    try:
        with socket.create_connection((host, port), timeout=timeout) as conn:
            conn.sendall(b"zPING\0")
            return conn.recv(16).startswith(b"PONG")
    except OSError:
        return False


class EmbeddedClamd(ServerProcess):
    """A private clamd on 127.0.0.1:`port` (and a Unix socket), configured in `state_dir`."""

    name = "clamd"
    error = ClamdError
    poll_seconds = 0.1

    def __init__(
        self,
        state_dir: Path,
        port: int | None = None,
        *,
        database_dir: Path | None = None,
        startup_timeout: float = 180.0,
    ) -> None:
        """Describe the daemon; nothing is written or started until start()."""
        # The official database takes tens of seconds to load; the test one well under one.
        super().__init__(port, startup_timeout)
        self.state_dir: Final = Path(state_dir).absolute()
        self._official: Final = database_dir or official_database()
        self.test_signatures_only: Final = self._official is None
        """True when only the EICAR test signature is loaded."""
        self._home = self.state_dir
        """Where the files are: ``state_dir``, or the folder it links to (see reach)."""
        self._owner: Account | None = None
        self._binary: Path | None = None

    @property
    def host(self) -> str:
        return LOOPBACK

    @property
    def database_dir(self) -> Path:
        return self._official or self._home / "db"

    @property
    def log_path(self) -> Path:
        return self._home / "clamd.log"

    @property
    def output_path(self) -> Path:
        return self._home / "clamd.out"

    @property
    def config_path(self) -> Path:
        return self._home / "clamd.conf"

    @property
    def socket_path(self) -> Path | None:
        """The Unix socket, when the state folder's path is short enough for one."""
        path = self._home / "clamd.sock"
        return path if len(str(path)) <= _SOCKET_PATH_MAX else None

    # -- the server process (ServerProcess) ------------------------------------------------

    def _prepare(self) -> None:
        """Write the configuration (and test signatures), as clamd's user's where we are root."""
        self._binary = clamd_binary()
        owner = _unprivileged_owner()
        self._owner = None if owner is None else Account(owner.pw_name, owner.pw_uid, owner.pw_gid)
        if self._owner is not None:
            # Nothing of clamd's is worth keeping or refusing: its folder is rewritten.
            self._home = reachable_folder(self.state_dir, self._owner, orphan_ok=True)
        self._write_files(owner)
        if self.test_signatures_only:
            log.warning(TEST_SIGNATURES_WARNING)

    def _command(self) -> list[str]:
        return [str(self._binary), "--foreground", f"--config-file={self.config_path}"]

    def _popen_options(self) -> dict[str, Any]:
        return {"cwd": self._home, **run_as(self._owner)}

    def _ready(self) -> bool:
        return ping(self.host, self.port)

    def _write_files(self, owner: pwd.struct_passwd | None) -> None:
        # As root, the folder is clamd's user's, and clamd parses hostile uploads: whatever
        # it left there (a link to /etc/passwd in place of its log, say) must never make
        # root write or chown through it. Root's files are written fresh and stay root's;
        # ownership changes never follow links.
        tmp = self._home / "tmp"
        for folder in (self._home, tmp):
            folder.mkdir(parents=True, exist_ok=True)
        if self.test_signatures_only:
            self.database_dir.mkdir(parents=True, exist_ok=True)
            _write_fresh(self.database_dir / "fumidai-test.hdb", EICAR_SIGNATURE)
        if self.socket_path is not None:
            with contextlib.suppress(FileNotFoundError):
                self.socket_path.unlink()
        _write_fresh(self.config_path, self._config(tmp))
        if owner is not None:
            if self.log_path.is_symlink() or not self.log_path.exists():
                _write_fresh(self.log_path, "")
            owned = [self._home, tmp, self.log_path]
            if self.test_signatures_only:
                owned.append(self.database_dir)
            for path in owned:
                os.chown(path, owner.pw_uid, owner.pw_gid, follow_symlinks=False)

    def _config(self, tmp: Path) -> str:
        lines = [
            "Foreground yes",
            f"DatabaseDirectory {self.database_dir}",
            f"TemporaryDirectory {tmp}",
            f"LogFile {self.log_path}",
            "LogTime yes",
            f"TCPAddr {LOOPBACK}",
            f"TCPSocket {self.port}",
            # A share is at most 99 MiB; past these limits clamd reports Heuristics.Limits
            # (AlertExceedsMax) rather than passing a file it did not read to the end.
            "StreamMaxLength 128M",
            "MaxFileSize 128M",
            "MaxScanSize 512M",
            "AlertExceedsMax yes",
            "AlertEncryptedArchive yes",
            "AlertEncryptedDoc yes",
            "AlertBrokenExecutables yes",
            "SelfCheck 0",
            # clamd's cache of clean verdicts hashes every file (MD5 of all 99 MB, ~0.25 s
            # of the verdict's ~1–2.4 s after the last byte) so that the same bytes are not
            # scanned twice; every upload is new bytes, scanned once, so it only costs.
            "DisableCache yes",
        ]
        if self.socket_path is not None:
            lines.append(f"LocalSocket {self.socket_path}")
        return "\n".join(lines) + "\n"


def _unprivileged_owner() -> pwd.struct_passwd | None:
    """Debian's ``clamav`` user when we are root and it exists, else None (run as ourselves)."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        return None


def _write_fresh(path: Path, text: str) -> None:
    """``path`` as a new regular file holding ``text``: whatever stood there, a link
    included, is removed first, and the file is created only if nothing took its place."""
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    with os.fdopen(fd, "w") as out:
        out.write(text)
