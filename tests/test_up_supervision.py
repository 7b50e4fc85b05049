"""``./fumidai up`` supervises (issue 17, decision 0033): a service or embedded server
killed with SIGKILL is restarted and said so, and while a service is down the gateway
stays ready, answers that service's routes with 503 and ``Retry-After``, and serves the
others. Real ``up``, real processes; its state in a folder of the test's own.
"""

import asyncio
import os
import queue
import re
import secrets
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest

from libs.devservers.ports import free_port
from tests.gateway_support import Admin, eventually, sign_in_admin
from tests.test_newcomer import lines_of, wait_for

ROOT = Path(__file__).resolve().parent.parent
READY_TIMEOUT_S = 240.0
BACK_TIMEOUT_S = 60.0
READY_LINE = re.compile(
    r"fumidai is up: (?P<url>\S+)  admin (?P<account>\S+)  password (?P<password>\S+)"
    r"  second password (?P<second>\S+)"
)


@pytest.fixture
def state() -> Iterator[Path]:
    # Searchable, outside pytest's mode-700 folders: as root, PostgreSQL runs as its own
    # system user and must reach its data here (libs/devservers/reach.py).
    parent = Path(tempfile.mkdtemp(prefix="fumidai-supervise-"))
    parent.chmod(0o755)
    try:
        yield parent / "state"
    finally:
        for kept in ("postgres", "clamd"):
            link = parent / "state" / kept
            if link.is_symlink():
                shutil.rmtree(link.resolve(), ignore_errors=True)
        shutil.rmtree(parent, ignore_errors=True)


def child(up: "subprocess.Popen[str]", needle: str) -> psutil.Process:
    """``up``'s child process whose command line contains ``needle``."""
    for process in psutil.Process(up.pid).children(recursive=True):
        if needle in " ".join(process.cmdline()):
            return process
    raise AssertionError(f"no child of up runs {needle!r}")


async def operations(admin: Admin) -> int:
    answer = await admin.get("/logs/operations")
    assert answer.status_code == 200, answer.text
    return len(answer.json()["rows"])


async def a_terminal_is_logged(admin: Admin) -> None:
    """An admin's command whose event must travel identity → NATS → audit."""
    before = await operations(admin)
    made = await admin.send(
        "POST", "/terminals", json={"name": f"監視{secrets.token_hex(2)}", "user_ids": []}
    )
    assert made.status_code == 201, made.text

    async def logged() -> bool:
        return await operations(admin) > before

    assert await eventually(logged, 30.0), "the new terminal never reached the operations log"


async def while_audit_is_down(admin: Admin, url: str) -> None:
    down = await admin.get("/logs/operations")
    assert down.status_code == 503, down.text
    assert down.headers["content-type"].startswith("application/problem+json")
    assert down.json()["code"] == "upstream_unavailable"
    assert down.json()["title"] == "サービスに接続できません。時間をおいて再度お試しください。"
    assert int(down.headers["retry-after"]) > 0
    async with httpx.AsyncClient() as http:
        ready = await http.get(f"{url}/health/ready")
    assert ready.status_code == 200, ready.text
    assert ready.json()["status"] == "degraded"
    assert ready.json()["upstreams"]["audit"] is False
    # The other services' routes keep working meanwhile.
    users = await admin.get("/users")
    assert users.status_code == 200, users.text


def unhandled_errors(state: str) -> str:
    """The services' unhandled_error log lines, for the report of a run that saw a 500."""
    found = []
    for log in sorted(Path(state, "logs").glob("*.log")):
        for line in log.read_text(errors="replace").splitlines():
            if "unhandled_error" in line:
                found.append(f"{log.name}: {line[:400]}")
    return "\n".join(found)


async def answers_until(admin: Admin, done: asyncio.Event) -> list[tuple[int, str | None]]:
    """audit's route asked again and again until ``done``: (status, Retry-After) each time."""
    answers = []
    while not done.is_set():
        answer = await admin.get("/logs/operations")
        answers.append((answer.status_code, answer.headers.get("retry-after")))
        await asyncio.sleep(0.05)
    return answers


def test_up_restarts_killed_services_and_servers(state: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FUMIDAI_", "PG"))}
    env["FUMIDAI_STATE_DIR"] = str(state)
    up = subprocess.Popen(
        ["./fumidai", "up", "--empty", "--port", str(free_port())],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    seen: list[str] = []
    try:
        lines = lines_of(up)
        ready = READY_LINE.search(wait_for(lines, "fumidai is up: ", READY_TIMEOUT_S, seen))
        assert ready is not None, seen[-1]
        asyncio.run(exercise(up, lines, seen, {**ready.groupdict(), "state": str(state)}))

        up.send_signal(signal.SIGTERM)  # as a process manager stops it (Ctrl-C: test_newcomer)
        assert up.wait(timeout=90) == 0, "\n".join(seen)
        wait_for(lines, "fumidai: stopped", 5, seen)
        assert not any("Traceback" in line for line in seen), "\n".join(seen)
    finally:
        if up.poll() is None:
            up.kill()
            up.wait()


async def exercise(
    up: "subprocess.Popen[str]",
    lines: "queue.Queue[str | None]",
    seen: list[str],
    got: dict[str, str],
) -> None:
    url = got["url"]
    admin = await sign_in_admin(url, "998", got["account"], got["password"], got["second"])
    try:
        assert await operations(admin) > 0

        child(up, "services.audit").kill()
        await while_audit_is_down(admin, url)
        await asyncio.to_thread(
            wait_for, lines, "audit exited (code -9); restarting in 1 s", 10, seen
        )
        await asyncio.to_thread(wait_for, lines, "audit restarted", 10, seen)

        async def audit_back() -> bool:
            return (await admin.get("/logs/operations")).status_code == 200

        assert await eventually(audit_back, BACK_TIMEOUT_S), "audit's routes never came back"
        await a_terminal_is_logged(admin)

        child(up, "nats-server").kill()
        await asyncio.to_thread(
            wait_for, lines, "NATS exited (code -9); restarting in 1 s", 10, seen
        )
        await asyncio.to_thread(wait_for, lines, "NATS restarted", 30, seen)
        await a_terminal_is_logged(admin)

        child(up, "bin/postgres -D").kill()
        restarted = asyncio.Event()
        polling = asyncio.create_task(answers_until(admin, restarted))
        await asyncio.to_thread(
            wait_for, lines, "PostgreSQL exited (code -9); restarting in 1 s", 10, seen
        )
        await asyncio.to_thread(wait_for, lines, "PostgreSQL restarted", 60, seen)
        restarted.set()
        # Without its database a service answers 503 with Retry-After, never a 500: the
        # request in flight at the kill too. (It was a 500 when it took a pooled connection
        # PostgreSQL had ended while idle: asyncpg's InternalClientError, found by
        # tests/faults/; libs/runtime/problems.py.)
        answers = await polling
        assert answers and all(a in ((200, None), (503, "5")) for a in answers), (
            answers,
            unhandled_errors(got["state"]),
        )
        await a_terminal_is_logged(admin)

        child(up, "clamd --foreground").kill()
        await asyncio.to_thread(
            wait_for, lines, "clamd exited (code -9); restarting in 1 s", 10, seen
        )
        await asyncio.to_thread(wait_for, lines, "clamd restarted", 120, seen)
    finally:
        await admin.http.aclose()
