"""Issue 18: the event-sourcing plumbing is written once, in libs, and every service uses it.

Envelopes of an aggregate's next events come from ``libs.events.envelope.next_events`` (or
``next_event``), a lost race is retried by ``libs.events.retry.retrying``, the time comes
from ``libs.events.clock``, and background jobs are claimed by ``libs.postgres.job_queue``.
A service that grows its own copy again fails here.
"""

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def service_modules() -> Iterator[tuple[str, str]]:
    for path in sorted((ROOT / "services").rglob("*.py")):
        if "tests" in path.relative_to(ROOT).parts:
            continue
        yield str(path.relative_to(ROOT)), path.read_text(encoding="utf-8")


def own_copies(source: str) -> list[str]:
    """What in ``source`` is a service's own copy of the shared plumbing."""
    return [found for node in ast.walk(ast.parse(source)) for found in _copies_in(node)]


def _copies_in(node: ast.AST) -> list[str]:
    if isinstance(node, ast.ImportFrom) and node.module == "libs.events.envelope":
        return [f"imports {a.name}" for a in node.names if a.name == "envelop"]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return ["calls envelop"] if node.func.id == "envelop" else []
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        own = "retrying" in node.name or node.name in ("system_clock", "utc_now")
        return [f"defines {node.name}"] if own else []
    if isinstance(node, ast.ClassDef):
        return [f"defines {node.name}"] if node.name.endswith("Clock") else []
    if isinstance(node, ast.Assign):
        names = [t.id for t in node.targets if isinstance(t, ast.Name)]
        return [f"defines {name}" for name in names if name == "Clock"]
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        claims = "SET status = 'running'" in " ".join(node.value.split())
        return ["claims jobs itself"] if claims else []
    return []


def test_services_use_the_shared_envelopes_retry_clock_and_job_queue() -> None:
    offenders = {
        path: copies for path, source in service_modules() if (copies := own_copies(source))
    }
    assert offenders == {}


def test_the_check_sees_each_kind_of_copy() -> None:
    sample = '''
from libs.events.envelope import envelop
Clock = object
class FakeClock: ...
def utc_now(): ...
async def _retrying(attempt): ...
envelop(1)
SQL = """UPDATE jobs SET status = 'running'
         WHERE job_id = $1"""
'''
    assert sorted(own_copies(sample)) == sorted(
        [
            "imports envelop",
            "defines Clock",
            "defines FakeClock",
            "defines utc_now",
            "defines _retrying",
            "calls envelop",
            "claims jobs itself",
        ]
    )
