"""``./fumidai test``: ruff, mypy, the UI's build and checks, and the whole pytest suite,
on real servers."""

import argparse
import subprocess
import sys
from typing import Any

from fumidai_cli import system, ui
from fumidai_cli.state import ROOT


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "test", help="lint, type-check and run every test (extra arguments go to pytest)"
    )
    parser.set_defaults(run=run)


def step(title: str, command: list[str]) -> bool:
    print(f"==> {title}: {' '.join(command)}", flush=True)
    return subprocess.run(command, cwd=ROOT, check=False).returncode == 0


def ui_step(title: str, script: str) -> bool:
    print(f"==> {title}: npm run {script} (in ui/)", flush=True)
    return ui.check(script)


def run(_: argparse.Namespace, pytest_args: list[str]) -> int:
    python = sys.executable
    print("==> system packages: " + " ".join(system.PACKAGES), flush=True)
    results = {
        "system packages": system.ensure(),
        "ruff check": step("lint", [python, "-m", "ruff", "check", "."]),
        "ruff format": step("format", [python, "-m", "ruff", "format", "--check", "."]),
        "mypy": step("types", [python, "-m", "mypy"]),
    }
    print("==> UI build: npm ci and npm run build when ui/ changed", flush=True)
    results["UI build"] = ui.ensure_ui()
    results["UI type check"] = ui_step("UI types", "typecheck")
    results["UI lint"] = ui_step("UI lint", "lint")
    results["UI unit tests"] = ui_step("UI tests", "test")
    results["pytest"] = step("tests", [python, "-m", "pytest", *pytest_args])
    failed = [name for name, ok in results.items() if not ok]
    if failed:
        print(f"==> FAILED: {', '.join(failed)}", flush=True)
        return 1
    print("==> all checks passed", flush=True)
    return 0
