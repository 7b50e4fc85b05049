"""Debian packages the suite needs from the machine, installed once when missing.

Only what Python's registry cannot bring: ClamAV's daemon for the file-share virus scan
(SPEC F3), Chromium with Japanese fonts for the admin console's browser tests and
screenshots (tests/ui: Playwright drives Debian's browser, never a downloaded one), and
Prometheus for its ``promtool``, which checks and unit-tests deploy/prometheus/alerts.yml
(tests/test_alert_rules.py).
``./fumidai test`` and ``./fumidai up`` call ``ensure``; as root (CI, the development
machines) it runs ``apt-get update`` and ``apt-get install`` for what is
missing, otherwise it prints the command to run. Add a package to ``PACKAGES`` to have
it installed the same way.

Node.js, for building the console, is not one of them: Debian 12's is Node 18, older than
Vite and vitest accept; it comes from PyPI into .venv (docs/decisions/0009, fumidai_cli/ui.py).
"""

import os
import shutil
import subprocess
import sys

PACKAGES: tuple[str, ...] = ("clamav-daemon", "chromium", "fonts-noto-cjk", "prometheus")
"""Debian packages the tests and ``up`` need (clamav-freshclam comes as its dependency;
fonts-noto-cjk draws the console's Japanese, which Chromium would show as empty boxes;
prometheus brings /usr/bin/promtool)."""


def say(text: str) -> None:
    print(f"fumidai: {text}", file=sys.stderr, flush=True)


def installed(package: str) -> bool:
    """True when dpkg reports ``package`` installed."""
    if shutil.which("dpkg-query") is None:
        return False
    done = subprocess.run(
        ["dpkg-query", "-W", "-f=${Status}", package],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.returncode == 0 and done.stdout.strip().endswith("install ok installed")


def ensure(packages: tuple[str, ...] = PACKAGES) -> bool:
    """Install the missing ``packages`` with apt-get; True when all are there afterwards."""
    missing = [p for p in packages if not installed(p)]
    if not missing:
        return True
    command = ["apt-get", "install", "-y", "--no-install-recommends", *missing]
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        say(f"missing Debian packages {', '.join(missing)}: run `sudo {' '.join(command)}`")
        return False
    say(f"installing Debian packages {', '.join(missing)} (once) ...")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for step in (["apt-get", "update", "-q"], command):
        done = subprocess.run(step, env=env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            # One line: apt's last words say why; running the command shows the rest.
            why = (done.stderr.strip() or done.stdout.strip() or "no output").splitlines()[-1]
            say(f"`{' '.join(step)}` failed ({why}); run it yourself to see the whole output")
            return False
    return all(installed(p) for p in missing)
