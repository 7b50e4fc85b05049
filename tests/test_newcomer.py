"""A newcomer's first minute (issue 13): a fresh clone in a private folder (mode 700, like
root's home) runs ``./fumidai up`` to ready, answers, and stops cleanly on Ctrl-C.

The clone is of the committed HEAD. Its ``.venv`` borrows the main checkout's installed
packages (each entry a symbolic link, and the install stamp of the clone's own
``pyproject.toml`` and ``constraints.txt``) so that no pip install runs; the clone's own
code runs, as its folder comes first on ``sys.path``. As root, PostgreSQL's binaries and data and clamd's files
are then out of their system users' reach, which is the case this test is for.
"""

import os
import queue
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from fumidai_cli.up import failure_line
from libs.devservers.ports import free_port
from libs.devservers.postgres import PostgresError
from tests.test_installs import install_stamp

ROOT = Path(__file__).resolve().parent.parent
READY_TIMEOUT_S = 360.0
"""``up`` may install Debian packages, build the UI and seed the demo data first."""
STOP_TIMEOUT_S = 90.0


@pytest.fixture
def private_clone() -> Iterator[Path]:
    parent = Path(tempfile.mkdtemp(prefix="fumidai-newcomer-"))
    parent.chmod(0o700)
    clone = parent / "fumidai"
    try:
        subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
        borrow_venv(clone)
        yield clone
    finally:
        for kept in ("postgres", "clamd"):
            link = clone / ".fumidai" / kept
            if link.is_symlink():  # its files live under /var/lib/fumidai (reach.py)
                shutil.rmtree(link.resolve(), ignore_errors=True)
        shutil.rmtree(parent, ignore_errors=True)


def borrow_venv(clone: Path) -> None:
    venv = clone / ".venv"
    venv.mkdir()
    for entry in (ROOT / ".venv").iterdir():
        if entry.name != ".fumidai-installed":
            (venv / entry.name).symlink_to(entry)
    (venv / ".fumidai-installed").write_text(install_stamp(clone) + "\n")


def lines_of(process: "subprocess.Popen[str]") -> "queue.Queue[str | None]":
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line.rstrip("\n"))
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    return lines


def wait_for(lines: "queue.Queue[str | None]", needle: str, timeout: float, seen: list[str]) -> str:
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        try:
            line = lines.get(timeout=left)
        except queue.Empty:
            break
        if line is None:
            break
        seen.append(line)
        if needle in line:
            return line
    raise AssertionError(f"no {needle!r} within {timeout:.0f}s; output:\n" + "\n".join(seen))


def test_up_runs_from_a_clone_in_a_private_folder(private_clone: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FUMIDAI_", "PG"))}
    process = subprocess.Popen(
        ["./fumidai", "up", "--port", str(free_port())],
        cwd=private_clone,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    seen: list[str] = []
    try:
        lines = lines_of(process)
        ready = wait_for(lines, "fumidai is up: ", READY_TIMEOUT_S, seen)
        url = ready.split("fumidai is up: ", 1)[1].split()[0]
        health = httpx.get(f"{url}/health/ready", timeout=10)
        assert health.status_code == 200, health.text
        assert not any("Traceback" in line for line in seen), "\n".join(seen)

        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=STOP_TIMEOUT_S) == 0, "\n".join(seen)
        wait_for(lines, "fumidai: stopped", 5, seen)
        assert not any("Traceback" in line for line in seen), "\n".join(seen)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_a_failed_start_is_one_line(tmp_path: Path) -> None:
    told = failure_line(PostgresError("PostgreSQL exited (code 1); pg.log:\nFATAL: x\n"), tmp_path)
    assert told == "could not start PostgreSQL: PostgreSQL exited (code 1); pg.log"
    odd = failure_line(KeyError("surprise"), tmp_path)
    assert "\n" not in odd and "up-error.log" in odd
    assert "KeyError: 'surprise'" in (tmp_path / "up-error.log").read_text()
