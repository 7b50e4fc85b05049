"""``./fumidai lock`` and ``./fumidai floors``: the pinned install and its lower bounds.

``constraints.txt`` pins every package that ``pyproject.toml`` can bring in, with all its
extras, for Python 3.11 on any platform (uv's universal resolution). ``./fumidai``, the
Dockerfile and so CI install through it with pip's ``-c``; ``lock`` rewrites it, keeping
each pin that still fits unless asked to upgrade (decision 0032).

``floors`` checks the other end: each direct dependency at the lowest version that
``pyproject.toml`` allows, in a throwaway venv, running a sample of the tests.
"""

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from fumidai_cli.state import ROOT

LOCK = ROOT / "constraints.txt"
EXTRAS = ("dev", "embedded", "bench")
TOOLS = "pip\nsetuptools\n"
"""Locked although no package requires them: ``./fumidai`` and the image install pip from
the lock, and build the project with its setuptools (pip's ``--build-constraint``)."""
FLOOR_SAMPLE = (
    "libs/events/tests/test_store.py",
    "libs/events/tests/test_catalogue_codec.py",
    "libs/runtime/tests",
    "services/identity/tests",
    "services/gateway/tests/test_sessions.py",
    "tests/test_walking_skeleton.py",
    "tests/test_deploy.py",
)
"""Pure code, PostgreSQL and NATS through the event store, one whole service, the gateway,
and the five services started together: what each runtime dependency is used for."""


def register(commands: Any) -> None:
    lock = commands.add_parser("lock", help="rewrite constraints.txt from pyproject.toml")
    lock.add_argument("--upgrade", action="store_true", help="move every pin to the newest")
    lock.add_argument(
        "--upgrade-package", action="append", default=[], metavar="NAME", help="move one pin"
    )
    lock.set_defaults(run=run_lock)
    floors = commands.add_parser(
        "floors", help="install pyproject.toml's lowest versions in a throwaway venv and test"
    )
    floors.add_argument("--keep", action="store_true", help="leave the venv for a look")
    floors.set_defaults(run=run_floors)


def compile_command(output: Path, *options: str, extras: tuple[str, ...] = EXTRAS) -> list[str]:
    """uv's resolution of pyproject.toml with ``extras`` and the stdin's list into ``output``."""
    chosen = [arg for extra in extras for arg in ("--extra", extra)]
    return [
        sys.executable, "-m", "uv", "pip", "compile", "pyproject.toml", "-",
        *chosen, "--universal", "--python-version", "3.11", "--quiet",
        "--custom-compile-command", "./fumidai lock", "-o", str(output), *options,
    ]  # fmt: skip


def run_lock(args: argparse.Namespace, _: list[str]) -> int:
    options = ["--upgrade"] if args.upgrade else []
    options += [arg for name in args.upgrade_package for arg in ("--upgrade-package", name)]
    done = subprocess.run(compile_command(LOCK, *options), cwd=ROOT, input=TOOLS, text=True)
    if done.returncode == 0:
        print(f"wrote {LOCK.relative_to(ROOT)}; run ./fumidai again to install it")
    return done.returncode


def step(title: str, command: list[str]) -> None:
    print(f"==> {title}", flush=True)
    subprocess.run(command, cwd=ROOT, check=True)


def run_floors(args: argparse.Namespace, _: list[str]) -> int:
    """Resolve with each direct dependency at its floor, install, run ``FLOOR_SAMPLE``."""
    work = Path(tempfile.mkdtemp(prefix="fumidai-floors-"))
    floors, venv = work / "floors.txt", work / "venv"
    python = venv / "bin" / "python"
    uv = [sys.executable, "-m", "uv"]
    try:
        # Not bench: no test imports it, and eventsourcing's floor compiles psycopg's C
        # extension for minutes. Not TOOLS: pip's floor would be 0.2.
        options = ("--resolution", "lowest-direct", "--no-annotate")
        lowest = compile_command(floors, *options, extras=("dev", "embedded"))
        subprocess.run(lowest, cwd=ROOT, input="", text=True, check=True)
        print(floors.read_text(), flush=True)
        step("venv", [*uv, "venv", "--quiet", "--python", sys.executable, str(venv)])
        install = [*uv, "pip", "install", "--quiet", "--python", str(python)]
        step("install the floors", [*install, "-r", str(floors)])
        # The project itself is not installed: pytest imports it from the checkout.
        done = subprocess.run(
            [str(python), "-m", "pytest", "-p", "no:cacheprovider", *FLOOR_SAMPLE], cwd=ROOT
        )
        return done.returncode
    except subprocess.CalledProcessError as failed:
        print(f"fumidai floors: {failed.cmd[2:5]} failed (code {failed.returncode})")
        return 1
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
