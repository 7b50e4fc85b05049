"""Child-process lifecycle shared by the private servers: ``ServerProcess`` (start, stop,
kill, restart), die-with-parent, shutdown, log tails."""

import atexit
import ctypes
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, ClassVar, Final, Self

from libs.devservers.ports import ensure_port_usable, free_port, is_port_free

_PR_SET_PDEATHSIG: Final = 1
_KILL_WAIT_SECONDS: Final = 10.0


def die_with_parent(sig: signal.Signals) -> Callable[[], None] | None:
    """Return a preexec_fn that makes the child receive `sig` when we die, or None if unsafe."""
    # atexit does not run when Python is SIGKILLed; the kernel's parent-death signal covers
    # that. It fires when the forking *thread* exits, so it is only armed from the main thread,
    # whose end is the end of the process.
    if sys.platform != "linux" or threading.current_thread() is not threading.main_thread():
        return None
    prctl = ctypes.CDLL(None, use_errno=True).prctl
    parent = os.getpid()

    def arm() -> None:
        # Runs in the child after setuid (a credential change clears the setting, so it
        # cannot be armed earlier); exec of a non-setuid binary keeps it.
        prctl(ctypes.c_int(_PR_SET_PDEATHSIG), ctypes.c_ulong(int(sig)))
        if os.getppid() != parent:  # the parent died before the signal was armed
            os._exit(1)

    return arm


def signal_and_wait(
    proc: "subprocess.Popen[bytes]", steps: Sequence[tuple[signal.Signals, float]]
) -> int:
    """Send each (signal, grace) in turn until `proc` exits, then SIGKILL; return its exit code."""
    for sig, grace in steps:
        if proc.poll() is not None:
            return proc.returncode
        proc.send_signal(sig)
        try:
            return proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            continue
    proc.kill()
    return proc.wait(timeout=_KILL_WAIT_SECONDS)


def log_size(path: Path) -> int:
    """Return the current size of `path` in bytes, 0 if it does not exist."""
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def log_tail(path: Path, offset: int = 0, lines: int = 40) -> str:
    """Return the last `lines` lines written to `path` after byte `offset` (for error messages)."""
    try:
        with path.open("rb") as f:
            f.seek(offset)
            data = f.read()
    except FileNotFoundError:
        return f"(no log at {path})"
    text = data.decode("utf-8", errors="replace").rstrip()
    return "\n".join(text.splitlines()[-lines:]) or "(log is empty)"


class ServerProcess:
    """One private server run as a child process: start (prepare, spawn, wait until it
    serves), stop, kill, restart, and the port it keeps across restarts.

    A server says what it runs (``_command``), what it prepares first (``_prepare``), how
    its readiness is probed (``_ready``) and, in its class attributes, its name, its error
    type and how it shuts down; this class does the rest the same way for all of them.
    """

    name: ClassVar[str]
    """What the messages call it: ``PostgreSQL``, ``nats-server``, ``clamd``."""
    error: ClassVar[type[Exception]]
    shutdown_steps: ClassVar[Sequence[tuple[signal.Signals, float]]] = ((signal.SIGTERM, 10.0),)
    parent_death_signal: ClassVar[signal.Signals] = signal.SIGTERM
    """What the child receives should we die without stopping it."""
    poll_seconds: ClassVar[float] = 0.05

    def __init__(self, port: int | None, startup_timeout: float) -> None:
        self.port = port if port is not None else free_port()
        self._port_is_explicit: Final = port is not None
        self.startup_timeout: Final = startup_timeout
        self._proc: subprocess.Popen[bytes] | None = None
        self._started_once = False

    # -- what each server says ---------------------------------------------------------------

    _log_path: Path

    @property
    def log_path(self) -> Path:
        """The server's log, whose tail explains a failed start."""
        return self._log_path

    @property
    def output_path(self) -> Path:
        """Where the child's stdout and stderr go (its log, unless it writes one itself)."""
        return self.log_path

    def _prepare(self) -> None:
        """Whatever must be on disk before the server runs (configuration, a cluster …)."""

    def _command(self) -> list[str]:
        raise NotImplementedError

    def _popen_options(self) -> dict[str, Any]:
        """More arguments of ``subprocess.Popen`` (``cwd``, ``env``, ``user`` …)."""
        return {}

    def _ready(self) -> bool:
        """One probe: True once the server serves."""
        raise NotImplementedError

    def _not_ready_because(self) -> str:
        """Why the last probe failed, for the message of a start that timed out."""
        return ""

    def _after_stop(self) -> None:
        """Clean-up once the process is gone (a temporary socket folder …)."""

    # -- lifecycle ---------------------------------------------------------------------------

    @property
    def is_running(self) -> bool:
        """True while the server process we started is alive."""
        return self._proc is not None and self._proc.poll() is None

    @property
    def pid(self) -> int | None:
        """The server's pid while running, else None."""
        return self._proc.pid if self.is_running and self._proc is not None else None

    @property
    def exit_code(self) -> int | None:
        """The exit code of the server we started once it has died on its own, else None."""
        return None if self._proc is None else self._proc.poll()

    def start(self) -> None:
        """Prepare and start the server; return once it serves (raise ``error`` if it dies
        or does not serve within ``startup_timeout``)."""
        if self.is_running:
            return
        self.await_ready(self.launch())

    def launch(self) -> int:
        """Prepare and spawn the server without waiting for it; the offset of its log to
        give ``await_ready``. Servers that serve only together (a NATS cluster's nodes)
        are launched one after another, from this thread (see ``die_with_parent``), then
        awaited."""
        self.stop()  # reap a server that died on its own
        self._claim_port()
        self._prepare()
        self.output_path.parent.mkdir(parents=True, exist_ok=True)
        offset = log_size(self.log_path)
        with self.output_path.open("ab") as out:
            self._proc = subprocess.Popen(
                self._command(),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                # Own session: a Ctrl-C meant for the CLI must not stop the server behind its
                # back; the CLI stops it in order, and atexit/die_with_parent back that up.
                start_new_session=True,
                preexec_fn=die_with_parent(self.parent_death_signal),
                **self._popen_options(),
            )
        atexit.register(self.stop)
        return offset

    def await_ready(self, log_offset: int) -> None:
        """Return once the launched server serves (stopped and raised if it does not)."""
        try:
            self._wait_until_ready(log_offset)
        except BaseException:
            self.stop()
            raise
        self._started_once = True

    def stop(self) -> None:
        """Stop the server by ``shutdown_steps`` (SIGKILL last) and reap it; safe when not
        running."""
        self._end(self.shutdown_steps)

    def kill(self) -> None:
        """SIGKILL the server, as a crash would, and reap it; safe when not running."""
        self._end(())

    def restart(self) -> None:
        """Stop the server if it runs, then start it again on the same port and files."""
        self.stop()
        self.start()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _end(self, steps: Sequence[tuple[signal.Signals, float]]) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            atexit.unregister(self.stop)
            signal_and_wait(proc, steps)
        self._after_stop()

    def _claim_port(self) -> None:
        # Clients have been handed the port once the server has started, so it may not
        # move; a kernel-chosen port nobody has seen yet may be traded for a free one.
        if self._port_is_explicit or self._started_once:
            ensure_port_usable(self.port)
        elif not is_port_free(self.port):
            self.port = free_port()

    def _wait_until_ready(self, log_offset: int) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while True:
            proc = self._proc
            if proc is None or proc.poll() is not None:
                code = None if proc is None else proc.returncode
                raise self.error(
                    f"{self.name} on port {self.port} exited during start-up (code {code}); "
                    f"{self.log_path}:\n" + log_tail(self.log_path, log_offset)
                )
            if self._ready():
                return
            if time.monotonic() > deadline:
                raise self.error(
                    f"{self.name} on port {self.port} did not serve within "
                    f"{self.startup_timeout:.0f}s{self._not_ready_because()}; "
                    f"{self.log_path}:\n" + log_tail(self.log_path, log_offset)
                )
            time.sleep(self.poll_seconds)
