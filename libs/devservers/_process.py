"""Child-process lifecycle shared by the private servers: die-with-parent, shutdown, log tails."""

import ctypes
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Final

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
