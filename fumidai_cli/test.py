"""``./fumidai test``: ruff, mypy and the whole pytest suite, on real servers."""

import argparse
import subprocess
import sys
from typing import Any

from fumidai_cli import system
from fumidai_cli.state import ROOT


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "test", help="lint, type-check and run every test (extra arguments go to pytest)"
    )
    parser.set_defaults(run=run)


def step(title: str, command: list[str]) -> bool:
    print(f"==> {title}: {' '.join(command)}", flush=True)
    return subprocess.run(command, cwd=ROOT, check=False).returncode == 0


def run(_: argparse.Namespace, pytest_args: list[str]) -> int:
    python = sys.executable
    print("==> system packages: " + " ".join(system.PACKAGES), flush=True)
    results = {
        "system packages": system.ensure(),
        "ruff check": step("lint", [python, "-m", "ruff", "check", "."]),
        "ruff format": step("format", [python, "-m", "ruff", "format", "--check", "."]),
        "mypy": step("types", [python, "-m", "mypy"]),
    }
    results["pytest"] = step("tests", [python, "-m", "pytest", *pytest_args])
    failed = [name for name, ok in results.items() if not ok]
    if failed:
        print(f"==> FAILED: {', '.join(failed)}", flush=True)
        return 1
    print("==> all checks passed", flush=True)
    return 0
