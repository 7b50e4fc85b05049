"""The private servers are real, private, durable, and never outlive the Python process."""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import nats
import pytest
from nats.js.api import StorageType

from libs.devservers import (
    EmbeddedNats,
    EmbeddedPostgres,
    PortInUseError,
    free_port,
    is_port_free,
    reserve_port,
)
from libs.devservers.natsauth import connect_options, new_user
from libs.devservers.postgres import SYSTEM_USER


@pytest.fixture
def workdir() -> Iterator[Path]:
    """A scratch directory the unprivileged PostgreSQL user can traverse."""
    # When we are root PostgreSQL runs as fumidai-pg, which cannot enter pytest's tmp_path
    # (it lives under a root-only 0700 directory).
    path = Path(tempfile.mkdtemp(prefix="fumidai-devservers-"))
    path.chmod(0o711)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _is_alive(pid: int) -> bool:
    """True if `pid` exists and is not a zombie (orphans may never be reaped in a container)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_ports_are_free_loopback_ports_never_the_system_ones() -> None:
    port = free_port()
    assert port not in (5432, 4222)
    assert is_port_free(port)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken = busy.getsockname()[1]
        assert not is_port_free(taken)
        assert reserve_port(taken) != taken
    assert reserve_port(port) == port
    assert reserve_port(5432) != 5432


async def test_postgres_is_private_and_keeps_data_across_restarts(workdir: Path) -> None:
    data_dir = workdir / "pg"
    pg = EmbeddedPostgres(data_dir)
    with pg:
        assert pg.port != 5432
        assert pg.dsn("app") == f"postgresql://postgres@127.0.0.1:{pg.port}/app"
        await pg.create_database("app")
        await pg.create_database("app")  # idempotent
        conn = await asyncpg.connect(pg.dsn("app"))
        try:
            settings = await conn.fetchrow(
                "SELECT current_setting('max_connections') AS mc,"
                " current_setting('fsync') AS fsync,"
                " current_setting('synchronous_commit') AS sc,"
                " current_setting('server_encoding') AS enc"
            )
            assert settings is not None
            assert tuple(settings) == ("300", "on", "on", "UTF8")
            await conn.execute("CREATE TABLE kept (n int)")
            await conn.execute("INSERT INTO kept SELECT generate_series(1, 3)")
        finally:
            await conn.close()

    pg.stop()  # a second stop is harmless
    assert not pg.is_running

    pg.start()  # same instance, same port, same data dir
    try:
        assert await _count_rows(pg.dsn("app")) == 3
    finally:
        pg.stop()

    # A second `./fumidai up` builds a new instance on the same data dir: no initdb, same rows.
    with EmbeddedPostgres(data_dir) as again:
        assert await _count_rows(again.dsn("app")) == 3


async def _count_rows(dsn: str) -> int:
    conn = await asyncpg.connect(dsn)
    try:
        count: int = await conn.fetchval("SELECT count(*) FROM kept")
        return count
    finally:
        await conn.close()


def test_postgres_refuses_a_busy_explicit_port(workdir: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        pg = EmbeddedPostgres(workdir / "pg", port=busy.getsockname()[1])
        with pytest.raises(PortInUseError, match="already in use"):
            pg.start()
    with pytest.raises(ValueError, match="5432"):
        EmbeddedPostgres(workdir / "pg", port=5432)


def test_postgres_puts_its_socket_in_tmp_when_the_data_dir_path_is_too_long(
    workdir: Path,
) -> None:
    data_dir = workdir / ("d" * 60) / ("e" * 40)
    with EmbeddedPostgres(data_dir) as pg:
        socket_dir = pg.socket_dir
        assert socket_dir is not None and socket_dir.parent == Path("/tmp")
        assert (socket_dir / f".s.PGSQL.{pg.port}").is_socket()
    assert not socket_dir.exists()


def test_postgres_copes_with_a_stale_pidfile(workdir: Path) -> None:
    data_dir = workdir / "pg"
    pg = EmbeddedPostgres(data_dir)
    pg.start()
    pg.stop()
    # A crash leaves postmaster.pid and the socket lock behind, and their pid may be reused by
    # an unrelated process of the same user (say, a backend of another test cluster), which the
    # postmaster alone would take for a live server and refuse to start.
    same_user = SYSTEM_USER if os.geteuid() == 0 else None
    unrelated = subprocess.Popen(["sleep", "30"], user=same_user)
    try:
        (data_dir / "postmaster.pid").write_text(
            f"{unrelated.pid}\n{data_dir}\n0\n{pg.port}\n{data_dir}\n127.0.0.1\n0 0\nready\n"
        )
        (data_dir / f".s.PGSQL.{pg.port}.lock").write_text(
            f"{unrelated.pid}\n{data_dir}\n0\n{pg.port}\n{data_dir}\n"
        )
        pg.start()
        assert pg.is_running
        pg.stop()
    finally:
        unrelated.kill()
        unrelated.wait()


async def test_nats_jetstream_survives_kill_and_restart(workdir: Path) -> None:
    server = EmbeddedNats(workdir / "nats")
    server.start()
    try:
        assert server.port != 4222
        port = server.port
        nc = await nats.connect(server.url)
        try:
            js = nc.jetstream()
            await js.add_stream(name="EVENTS", subjects=["events.>"], storage=StorageType.FILE)
            ack = await js.publish("events.created", b"hello")
            assert (await js.get_msg("EVENTS", ack.seq)).data == b"hello"
        finally:
            await nc.close()

        server.kill()
        assert not server.is_running
        server.restart()
        assert server.port == port

        nc = await nats.connect(server.url)
        try:
            msg = await nc.jetstream().get_msg("EVENTS", ack.seq)
            assert (msg.subject, msg.data) == ("events.created", b"hello")
        finally:
            await nc.close()
    finally:
        server.stop()
        server.stop()  # a second stop is harmless
    assert not server.is_running


async def test_nats_with_users_refuses_others_and_keeps_added_users_across_a_restart(
    workdir: Path,
) -> None:
    """Decision 0026: users given at creation and added later (a reload) sign in, before and
    after a kill and restart; an anonymous client or an unknown key never does."""
    first, later, stranger = new_user("first", None), new_user("later", None), new_user("x", None)
    server = EmbeddedNats(workdir / "nats", users=[first])
    server.start()
    try:
        server.authorize([later])
        for restarted in (False, True):
            if restarted:
                server.kill()
                server.restart()
            for user in (first, later):
                nc = await nats.connect(server.url, **connect_options(user))
                await nc.jetstream().account_info()
                await nc.close()
            for options in ({}, connect_options(stranger)):
                with pytest.raises(Exception, match="Authorization Violation"):
                    await nats.connect(
                        server.url, allow_reconnect=False, max_reconnect_attempts=1, **options
                    )
    finally:
        server.stop()


_ORPHAN_SCRIPT = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from libs.devservers import EmbeddedNats, EmbeddedPostgres

    base = Path(sys.argv[1])
    pg = EmbeddedPostgres(base / "pg")
    pg.start()
    js = EmbeddedNats(base / "nats")
    js.start()
    print(pg.pid, js.pid, flush=True)
    if sys.argv[2] == "sigkill":
        os.kill(os.getpid(), signal.SIGKILL)  # no atexit: the parent-death signal must act
    """
)


@pytest.mark.parametrize("death", ["exit", "sigkill"])
def test_servers_do_not_outlive_python(workdir: Path, death: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _ORPHAN_SCRIPT, str(workdir), death],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).parents[3],
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[3])},
        check=False,
    )
    pids = [int(pid) for pid in done.stdout.split()]
    assert len(pids) == 2, done.stderr
    deadline = time.monotonic() + 15
    while any(_is_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in pids if _is_alive(pid)], "a server outlived its Python process"
