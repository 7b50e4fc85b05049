"""The one shape of a service (issue 18; decision 0037; DESIGN.md, "a service's inside").

Every service has the same folders and files, each holding one kind of thing, and the
inner ones import none of the outer ones:

- ``contract.py`` or ``contract/``: what callers may know (decision 0034). The gateway has
  none: nothing in the suite calls it; its contract is its OpenAPI documents (docs/api/).
- ``domain/``: the rules, pure. It imports no I/O (database, bus, HTTP, files, processes,
  logging) and, of its service, only its domain, its contract and its messages.
- ``app/``: use cases over ports. It imports neither ``adapters/`` nor ``api/``: the
  adapters implement the ports and ``bootstrap.py`` wires them.
- ``adapters/`` (Postgres, NATS, SMTP, ClamAV …), ``api/`` (Litestar Controllers),
  ``bootstrap.py`` (the one composition root: the only module outside ``adapters/`` that
  constructs an adapter), ``http.py`` (the app factory), ``consumers.py``, ``settings.py``,
  ``__main__.py``, ``migrations/``, ``tests/``; at the top level besides only ``bus.py``
  (its rights on the bus) and ``messages.py`` (its Japanese messages).
- The gateway writes no events of its own and owns no aggregate (its sessions and sign-in
  counters are rows it keeps, not event-sourced state), so it needs no ``domain/`` or
  ``app/``; it may have them, and then the same rules hold.

``ALLOWED`` lists the deviations when this test was written. It only shrinks: the test
fails on a deviation not listed and on a listed one that is gone (remove its line).

Pure: the files are parsed, never imported.
"""

import ast
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from tests.test_architecture import Import, all_imports

ROOT = Path(__file__).resolve().parents[1]
SERVICES = ("audit", "fileshare", "gateway", "identity", "terminals")
REQUIRED = (
    "contract",
    "domain/",
    "app/",
    "adapters/",
    "api/",
    "bootstrap.py",
    "http.py",
    "consumers.py",
    "settings.py",
    "__main__.py",
    "migrations/",
    "tests/",
)
ALSO_ALLOWED = ("__init__.py", "bus.py", "messages.py")
OPTIONAL = {"gateway": frozenset({"contract", "domain/", "app/"})}
"""What a service may lack, and why: see the module's docstring."""

IO_STDLIB = frozenset(
    {
        "asyncio",
        "http",
        "logging",
        "multiprocessing",
        "os",
        "pathlib",
        "select",
        "selectors",
        "shutil",
        "signal",
        "smtplib",
        "socket",
        "sqlite3",
        "ssl",
        "subprocess",
        "tempfile",
        "threading",
        "urllib",
    }
)
"""The standard library's I/O (and logging, which writes): not for a domain."""
DOMAIN_MAY_IMPORT_LIBS = (
    "libs.events.catalogue",
    "libs.events.envelope",
    "libs.events.ids",
    "libs.runtime.refusals",
    "libs.text",
)
"""The pure parts of libs: the events' types, the refusals (not their HTTP mapping in
``libs.runtime.problems``), text rules."""

ALLOWED: frozenset[str] = frozenset()


def _subject(path: Path, root: Path) -> str:
    relative = path.relative_to(root).as_posix()
    return f"{relative}/" if path.is_dir() else relative


def folder_deviations(root: Path, services: Iterable[str] = SERVICES) -> Iterator[str]:
    """Each required piece a service lacks and each top-level piece outside the shape."""
    for service in services:
        home = root / "services" / service
        names = {
            f"{p.name}/" if p.is_dir() else p.name
            for p in home.iterdir()
            if p.name != "__pycache__"
        }
        for piece in REQUIRED:
            present = (
                "contract.py" in names or "contract/" in names
                if piece == "contract"
                else piece in names
            )
            if not present and piece not in OPTIONAL.get(service, frozenset()):
                yield f"services/{service}: no {piece}"
        known = {*REQUIRED, "contract.py", "contract/", *ALSO_ALLOWED}
        for name in sorted(names - known):
            yield f"{_subject(home / name.rstrip('/'), root)}: not in the shape"


def _layer(module: str) -> tuple[str, str] | None:
    """(service, folder) of a module inside a service, e.g. ("identity", "app")."""
    parts = module.split(".")
    if parts[0] != "services" or len(parts) < 3:
        return None
    return parts[1], parts[2]


def _is_under(module: str, package: str) -> bool:
    return module == package or module.startswith(f"{package}.")


def _domain_may_import(service: str, target: str) -> bool:
    top = target.split(".")[0]
    if top in sys.stdlib_module_names:
        return top not in IO_STDLIB
    if top == "msgspec":
        return True
    own = (f"services.{service}.{inner}" for inner in ("domain", "contract", "messages"))
    return any(_is_under(target, p) for p in (*DOMAIN_MAY_IMPORT_LIBS, *own))


def import_deviations(found: Iterable[Import], root: Path) -> Iterator[str]:
    """app/ importing its adapters/ or api/; domain/ importing I/O or its outer layers."""
    seen: set[str] = set()
    for i in found:
        where = _layer(i.importer)
        if where is None or "tests" in i.importer.split("."):
            continue
        service, folder = where
        if folder == "app":
            outer = (f"services.{service}.adapters", f"services.{service}.api")
            wrong = any(_is_under(i.target, p) for p in outer)
        elif folder == "domain":
            wrong = not _domain_may_import(service, i.target)
        else:
            continue
        entry = f"{_file_of(i.importer, root)} imports {i.target}"
        if wrong and entry not in seen:
            seen.add(entry)
            yield entry


def _file_of(module: str, root: Path) -> str:
    path = root.joinpath(*module.split("."))
    if path.is_dir():
        return f"{path.relative_to(root).as_posix()}/__init__.py"
    return f"{path.relative_to(root).as_posix()}.py"


def adapter_classes(root: Path, service: str) -> set[str]:
    """The adapters of a service: classes in its adapters/ that hold a resource or do I/O
    (an ``__init__`` or an ``async`` method), by dotted name. Records defined there
    (dataclasses, Structs) are not adapters: anyone may build one."""
    home = root / "services" / service
    found: set[str] = set()
    for path in sorted((home / "adapters").rglob("*.py")):
        module = ".".join(path.relative_to(root).with_suffix("").parts)
        for node in ast.parse(path.read_text(encoding="utf-8"), str(path)).body:
            if isinstance(node, ast.ClassDef) and any(
                isinstance(m, ast.AsyncFunctionDef)
                or (isinstance(m, ast.FunctionDef) and m.name == "__init__")
                for m in node.body
            ):
                found.add(f"{module}.{node.name}")
    return found


def _imported_names(tree: ast.AST) -> dict[str, str]:
    """Each name a module binds by ``from … import``, with what it names."""
    return {
        alias.asname or alias.name: f"{node.module}.{alias.name}"
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module and not node.level
        for alias in node.names
    }


def _called(tree: ast.AST, imported: dict[str, str]) -> Iterator[str]:
    """The dotted names a module calls: ``Name(…)`` and ``module.Name(…)``."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id in imported:
            yield imported[func.id]
        elif (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id in imported
        ):
            yield f"{imported[func.value.id]}.{func.attr}"


def construction_deviations(root: Path, services: Iterable[str] = SERVICES) -> Iterator[str]:
    """A module outside adapters/ and bootstrap.py constructing one of its service's
    adapters: only the composition root builds them."""
    for service in services:
        home = root / "services" / service
        adapters = adapter_classes(root, service)
        for path in sorted(home.rglob("*.py")):
            if path.relative_to(home).parts[0] in ("adapters", "tests", "bootstrap.py"):
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
            for name in sorted(set(_called(tree, _imported_names(tree))) & adapters):
                yield f"{_subject(path, root)} constructs {name}"


def deviations(root: Path) -> set[str]:
    return {
        *folder_deviations(root),
        *import_deviations(all_imports(root), root),
        *construction_deviations(root),
    }


def against_allowance(found: set[str], allowed: frozenset[str]) -> list[str]:
    return [f"{d}: not allowed" for d in sorted(found - allowed)] + [
        f"{d}: gone; remove it from ALLOWED" for d in sorted(allowed - found)
    ]


def test_every_service_has_the_one_shape() -> None:
    assert against_allowance(deviations(ROOT), ALLOWED) == []


def test_the_services_are_the_five() -> None:
    found = sorted(p.name for p in (ROOT / "services").iterdir() if (p / "__init__.py").exists())
    assert found == sorted(SERVICES)


def test_the_rules_see_what_they_forbid(tmp_path: Path) -> None:
    """Each kind of deviation is found (so the silence of the tests above means something)."""
    home = tmp_path / "services" / "demo"
    for folder in ("domain", "app", "adapters", "api", "migrations", "tests", "extra"):
        (home / folder).mkdir(parents=True)
    for name in ("__init__.py", "http.py", "settings.py", "__main__.py", "bus.py", "helpers.py"):
        (home / name).write_text("")
    (home / "adapters" / "store.py").write_text(
        "class Store:\n    async def load(self): ...\nclass Row:\n    name: str\n"
    )
    (home / "adapters" / "mail.py").write_text("class Sender:\n    def __init__(self): ...\n")
    (home / "api" / "users.py").write_text(
        "from services.demo.adapters.store import Row, Store\n"
        "from services.demo.adapters import mail\n"
        "Store()\nmail.Sender()\nRow()\n"
    )
    (home / "tests" / "test_x.py").write_text(
        "from services.demo.adapters.store import Store\nStore()\n"
    )
    assert sorted(folder_deviations(tmp_path, ["demo"])) == [
        "services/demo/extra/: not in the shape",
        "services/demo/helpers.py: not in the shape",
        "services/demo: no bootstrap.py",
        "services/demo: no consumers.py",
        "services/demo: no contract",
    ]
    assert list(construction_deviations(tmp_path, ["demo"])) == [
        "services/demo/api/users.py constructs services.demo.adapters.mail.Sender",
        "services/demo/api/users.py constructs services.demo.adapters.store.Store",
    ]
    (home / "app" / "users.py").touch()
    (home / "domain" / "user.py").touch()
    found = [
        Import("services.demo.app.users", "services.demo.adapters.store", 1),
        Import("services.demo.app.users", "services.demo.api.users", 2),
        Import("services.demo.app.users", "services.demo.domain.user", 3),
        Import("services.demo.app.users", "asyncpg", 4),
        Import("services.demo.domain.user", "asyncpg", 5),
        Import("services.demo.domain.user", "os", 6),
        Import("services.demo.domain.user", "services.demo.app.users", 7),
        Import("services.demo.domain.user", "libs.postgres.pool", 8),
        Import("services.demo.domain.user", "libs.events.catalogue.users", 9),
        Import("services.demo.domain.user", "services.demo.contract", 10),
        Import("services.demo.domain.user", "datetime", 11),
        Import("services.demo.domain.user", "msgspec", 12),
    ]
    assert list(import_deviations(found, tmp_path)) == [
        "services/demo/app/users.py imports services.demo.adapters.store",
        "services/demo/app/users.py imports services.demo.api.users",
        "services/demo/domain/user.py imports asyncpg",
        "services/demo/domain/user.py imports os",
        "services/demo/domain/user.py imports services.demo.app.users",
        "services/demo/domain/user.py imports libs.postgres.pool",
    ]
    assert against_allowance({"a", "b"}, frozenset({"b", "c"})) == [
        "a: not allowed",
        "c: gone; remove it from ALLOWED",
    ]


VAGUE_NAMES = frozenset({"utils", "util", "helpers", "misc"})
"""Module names that say nothing of what they hold (STYLE.md, house habits)."""


def vaguely_named(root: Path) -> list[str]:
    return [
        path.relative_to(root).as_posix()
        for top in ("services", "libs", "fumidai_cli")
        for path in sorted((root / top).rglob("*"))
        if path.stem in VAGUE_NAMES and (path.suffix == ".py" or path.is_dir())
    ]


def test_no_module_is_named_for_no_one_thing(tmp_path: Path) -> None:
    assert vaguely_named(ROOT) == []
    (tmp_path / "libs" / "x").mkdir(parents=True)
    (tmp_path / "libs" / "x" / "helpers.py").touch()
    assert vaguely_named(tmp_path) == ["libs/x/helpers.py"]
