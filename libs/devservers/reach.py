"""Files a server run as a system user must reach, when ours are out of its reach.

As root, PostgreSQL and clamd run as unprivileged system users (``fumidai-pg``,
``clamav``). A clone in root's home (mode 700) puts their data, and PostgreSQL's binaries
in ``.venv``, where those users cannot go. Rather than open up the person's folders
(``chmod o+x /root`` or an ACL), such files live under ``/var/lib/fumidai`` and the folder
the person expects (``.fumidai/postgres``) is a symbolic link to them. Decision 0010 says
why; nothing here runs when the files are reachable already, nor when we are not root.
"""

import hashlib
import os
import shutil
import stat
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

SHARED_ROOT: Final = Path("/var/lib/fumidai")
"""Root-owned, searchable by all: what the system users reach in place of the clone."""


@dataclass(frozen=True)
class Account:
    """The system user a server runs as."""

    name: str
    uid: int
    gid: int


def run_as(account: Account | None) -> dict[str, Any]:
    """``subprocess`` arguments that run a command as ``account`` (None: as ourselves)."""
    if account is None:
        return {}
    # Without extra_groups=[] the child would keep root's supplementary groups.
    return {"user": account.uid, "group": account.gid, "extra_groups": []}


def blocking_dir(path: Path, account: Account) -> Path | None:
    """The first existing directory from / down to ``path`` that ``account`` may not search."""
    for directory in [*reversed(path.parents), path]:
        try:
            st = directory.stat()
        except FileNotFoundError:
            return None  # what is missing, we create searchable
        if st.st_uid == account.uid:
            bit = stat.S_IXUSR
        elif st.st_gid == account.gid:
            bit = stat.S_IXGRP
        else:
            bit = stat.S_IXOTH
        if not st.st_mode & bit:
            return directory
    return None


def reachable_folder(path: Path, account: Account, *, orphan_ok: bool = False) -> Path:
    """Where to keep the folder ``path``: itself when ``account`` reaches it, else a folder
    under ``/var/lib/fumidai`` that ``path`` becomes a symbolic link to.

    The folder returned may not exist yet (initdb creates its own); its parent does. When
    ``path`` is gone but its folder under /var/lib/fumidai is not (``.fumidai`` removed to
    start over), that is an error unless ``orphan_ok``: reusing it would bring back old data
    without the keys that were in ``.fumidai``.
    """
    path = path.absolute()
    if path.is_symlink():
        target = path.resolve()
        if blocking_dir(target.parent, account) is None:
            target.parent.mkdir(parents=True, exist_ok=True)
            return target
    elif blocking_dir(path.parent, account) is None:
        return path
    digest = hashlib.sha256(os.fsencode(path)).hexdigest()[:16]
    state = _shared("state")
    # _shared makes only the parent of "state" (a copy is renamed into place there); the
    # folders kept here need "state" itself, which a fresh machine does not have yet.
    state.mkdir(mode=0o755, exist_ok=True)
    target = state / f"{path.name}-{digest}"
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_symlink():
        path.unlink()  # a link to a place out of reach: point it here instead
    elif not path.exists() and target.exists() and not orphan_ok:
        raise FileExistsError(
            f"{target} holds the data of an earlier {path}: remove it to start over, "
            f"or link {path} to it to keep it"
        )
    elif path.is_dir():
        # Left by an earlier run that could not start: keep what it holds.
        if target.exists():
            raise FileExistsError(f"both {path} and {target} exist; remove the one you do not need")
        shutil.move(path, target)
    path.symlink_to(target, target_is_directory=True)
    return target


def reachable_copy(base: Path, parts: tuple[str, ...], name: str, account: Account) -> Path:
    """``base`` when ``account`` reaches ``base/parts[i]``, else a copy of those parts, made
    once in ``/var/lib/fumidai/<name>`` (``name`` carries a version: it is never refreshed).

    The parts keep their places relative to each other (binaries find their libraries by
    relative run paths).
    """
    if all(blocking_dir(base / part, account) is None for part in parts):
        return base
    final = _shared(name)
    if final.exists():
        return final  # only ever made by the rename below, so complete
    # Copied aside and renamed into place: parallel starts (pytest-xdist) each copy, the
    # first rename wins, and an interrupted copy never looks like a whole one.
    staging = final.with_name(f".{final.name}.{uuid.uuid4().hex}")
    try:
        for part in parts:
            shutil.copytree(base / part, staging / part, symlinks=True)
        staging.chmod(0o755)
        staging.rename(final)
    except OSError:
        if not final.exists():
            raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return final


def _shared(name: str) -> Path:
    """``/var/lib/fumidai/<name>``'s parent, created searchable by every user."""
    path = SHARED_ROOT / name
    for folder in (SHARED_ROOT, path.parent):
        folder.mkdir(mode=0o755, parents=True, exist_ok=True)
        folder.chmod(0o755)
    return path
