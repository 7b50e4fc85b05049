"""The import rules of the code's shape (decision 0034; issue 18), read from the source.

- A service imports nothing of another service but its published ``contract`` (the
  gateway included: it composes the services through their contracts alone).
- A contract imports only msgspec, the standard library, ``libs`` and its own package.
- ``libs`` imports no service.
- No module imports, directly or round a circle, itself.

Pure: the files are parsed, never imported. Every import counts, the ones inside a
function or under ``TYPE_CHECKING`` too: a circle hidden in a function is still one.
"""

import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("services", "libs")
CONTRACT_MAY_IMPORT = frozenset({"msgspec", "libs", *sys.stdlib_module_names})


@dataclass(frozen=True)
class Import:
    importer: str
    """The importing module's dotted name."""
    target: str
    """The module imported: ``a.b`` for ``from a import b`` when ``a/b`` is a module."""
    line: int

    def __str__(self) -> str:
        return f"{self.importer}:{self.line} imports {self.target}"


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules(root: Path) -> dict[str, Path]:
    """Every module under ``SOURCES``, by dotted name."""
    return {
        module_name(path, root): path
        for top in SOURCES
        for path in sorted((root / top).rglob("*.py"))
        if ".venv" not in path.parts and "node_modules" not in path.parts
    }


def _absolute(name: str, node: ast.ImportFrom, package: str) -> str:
    if not node.level:
        return node.module or ""
    base = package.split(".")[: len(package.split(".")) - node.level + 1]
    return ".".join([*base, *([node.module] if node.module else [])])


def imports_of(name: str, path: Path, known: dict[str, Path]) -> Iterator[Import]:
    """Each module ``name`` imports, anywhere in its file."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(name, alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            source = _absolute(name, node, package)
            for alias in node.names:
                sub = f"{source}.{alias.name}"
                yield Import(name, sub if sub in known else source, node.lineno)


def all_imports(root: Path) -> list[Import]:
    known = modules(root)
    return [found for name, path in known.items() for found in imports_of(name, path, known)]


def service_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "services" and len(parts) > 1 else None


def is_contract(module: str) -> bool:
    parts = module.split(".")
    return len(parts) > 2 and parts[0] == "services" and parts[2] == "contract"


def foreign_reaches(found: list[Import]) -> list[str]:
    """A service importing another service's module other than its contract."""
    return [
        str(i)
        for i in found
        if (own := service_of(i.importer))
        and (other := service_of(i.target))
        and other != own
        and not is_contract(i.target)
    ]


def impure_contracts(found: list[Import]) -> list[str]:
    """A contract importing anything but msgspec, the standard library, libs and itself."""
    return [
        str(i)
        for i in found
        if is_contract(i.importer)
        and i.target.split(".")[0] not in CONTRACT_MAY_IMPORT
        and not (is_contract(i.target) and service_of(i.target) == service_of(i.importer))
    ]


def libs_on_services(found: list[Import]) -> list[str]:
    return [str(i) for i in found if i.importer.startswith("libs") and service_of(i.target)]


def cycles(found: list[Import]) -> list[list[str]]:
    """Each set of modules that import one another round a circle (Tarjan's SCCs)."""
    graph: dict[str, set[str]] = {}
    for i in found:
        graph.setdefault(i.importer, set())
        if i.target.split(".")[0] in SOURCES:
            graph[i.importer].add(i.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            members = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                members.append(member)
                if member == node:
                    break
            if len(members) > 1 or node in graph.get(node, ()):
                circles.append(sorted(members))

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10 * len(graph) + 100))
    try:
        for node in sorted(graph):
            if node not in index:
                visit(node)
    finally:
        sys.setrecursionlimit(limit)
    return circles


REFERENCE_AGENT = "fumidai_cli/reference_agent"
"""The reference jump-host agent: a client program of the agent protocol, not a service."""


def agent_reaches(root: Path, agent: str = REFERENCE_AGENT) -> list[str]:
    """The reference agent importing a service's module other than terminals' contract:
    it knows the service only as any jump host's agent does (docs/agent-protocol.md)."""
    known = modules(root)
    return [
        str(i)
        for path in sorted((root / agent).rglob("*.py"))
        for i in imports_of(module_name(path, root), path, known)
        if service_of(i.target)
        and not (service_of(i.target) == "terminals" and is_contract(i.target))
    ]


def test_the_reference_agent_knows_terminals_by_its_contract_alone(tmp_path: Path) -> None:
    assert agent_reaches(ROOT) == []
    home = tmp_path / "agent"
    home.mkdir()
    (home / "client.py").write_text(
        "from services.terminals.contract import AgentOrder\n"
        "from services.terminals.domain import session\n"
        "from services.identity.contract import JobOut\n"
        "import httpx\n"
    )
    assert agent_reaches(tmp_path, "agent") == [
        "agent.client:2 imports services.terminals.domain",
        "agent.client:3 imports services.identity.contract",
    ]


def test_services_import_only_each_others_contracts() -> None:
    assert foreign_reaches(all_imports(ROOT)) == []


def test_contracts_import_only_msgspec_the_standard_library_and_libs() -> None:
    assert impure_contracts(all_imports(ROOT)) == []


def test_libs_import_no_service() -> None:
    assert libs_on_services(all_imports(ROOT)) == []


def test_no_module_imports_itself_round_a_circle() -> None:
    assert cycles(all_imports(ROOT)) == []


def test_every_service_behind_the_gateway_publishes_a_contract() -> None:
    """The gateway has no callers inside the suite: its contract is its public OpenAPI."""
    services = sorted(
        p.name
        for p in (ROOT / "services").iterdir()
        if (p / "__init__.py").exists() and p.name != "gateway"
    )
    assert services == ["audit", "fileshare", "identity", "terminals"]
    missing = [
        name
        for name in services
        if not (ROOT / "services" / name / "contract.py").exists()
        and not (ROOT / "services" / name / "contract" / "__init__.py").exists()
    ]
    assert missing == []


def test_the_rules_see_what_they_forbid() -> None:
    """The checks above would fail on each kind of breach (so their silence means something)."""
    found = [
        Import("services.gateway.api.users", "services.identity.api.users", 1),
        Import("services.gateway.api.users", "services.identity.contract", 2),
        Import("services.identity.contract.users", "services.identity.domain.accounts", 3),
        Import("services.identity.contract.users", "services.identity.contract.limits", 4),
        Import("services.terminals.contract", "litestar", 5),
        Import("libs.events.store", "services.identity.settings", 6),
        Import("services.gateway.sessions", "services.gateway.session_cache", 7),
        Import("services.gateway.session_cache", "services.gateway.sessions", 8),
    ]
    assert foreign_reaches(found) == [str(found[0])]
    assert impure_contracts(found) == [str(found[2]), str(found[4])]
    assert libs_on_services(found) == [str(found[5])]
    assert cycles(found) == [["services.gateway.session_cache", "services.gateway.sessions"]]


def test_the_gateway_writes_no_internal_path_of_its_own() -> None:
    """The services' paths come from their contracts (``…_PATH``), filled in: a path written
    out in the gateway would drift from the route it names."""
    written = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path in sorted((ROOT / "services" / "gateway").rglob("*.py"))
        if "tests" not in path.parts
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node.value.startswith("/internal/")
    ]
    assert written == []
