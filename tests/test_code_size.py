"""The size of the code's pieces (issue 18), read from the source.

No function or method over ``FUNCTION_MAX`` lines (a function a reader cannot hold on one
screen hides what it does) and no module over ``MODULE_MAX`` lines (a module that long
holds more than its name says), under ``services/``, ``libs/`` and ``fumidai_cli/``;
test folders are left out, and so is ``bench/``, whose scripts are read end to end.

``ALLOWED`` lists the pieces over the limits when this test was written, each with its
size then. The list only shrinks: the test fails on a piece over a limit that is not
listed, on a listed piece grown past its size, and on a listed piece that is no longer
over the limit (remove its line: the allowance must not come back for free).

Pure: the files are parsed, never imported.
"""

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("services", "libs", "fumidai_cli")
FUNCTION_MAX = 80
MODULE_MAX = 400

ALLOWED: dict[str, int] = {
    # modules: "path: lines"
    # functions: "path:qualified name: lines"
}


def source_files(root: Path) -> Iterator[Path]:
    """Every Python file the limits apply to: test folders and bench/ are left out."""
    for top in SOURCES:
        for path in sorted((root / top).rglob("*.py")):
            parts = path.relative_to(root).parts
            if "tests" in parts or ".venv" in parts or "node_modules" in parts:
                continue
            yield path


def _functions(tree: ast.AST, prefix: str = "") -> Iterator[tuple[str, ast.AST]]:
    """Each function and method with its qualified name (``Class.method``, ``outer.inner``)."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            name = f"{prefix}{node.name}"
            if not isinstance(node, ast.ClassDef):
                yield name, node
            yield from _functions(node, f"{name}.")
        else:
            yield from _functions(node, prefix)


def sizes(path: Path, root: Path) -> dict[str, int]:
    """The module's lines under its path, each function's (``def`` line to its last) under
    ``path:qualified name``; a name used twice in one module gets ``#2``, ``#3`` …"""
    relative = path.relative_to(root).as_posix()
    source = path.read_text(encoding="utf-8")
    found = {relative: len(source.splitlines())}
    for name, node in _functions(ast.parse(source, str(path))):
        assert isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        key, n = f"{relative}:{name}", 1
        while key in found:
            n += 1
            key = f"{relative}:{name}#{n}"
        found[key] = (node.end_lineno or node.lineno) - node.lineno + 1
    return found


def oversized(root: Path) -> dict[str, int]:
    """Every module over ``MODULE_MAX`` lines and every function over ``FUNCTION_MAX``."""
    over: dict[str, int] = {}
    for path in source_files(root):
        for key, lines in sizes(path, root).items():
            limit = FUNCTION_MAX if ":" in key else MODULE_MAX
            if lines > limit:
                over[key] = lines
    return over


def against_allowance(over: dict[str, int], allowed: dict[str, int]) -> list[str]:
    """What breaks the limits beyond the allowance, and each allowance no longer used."""
    problems = [
        f"{key}: {lines} lines, over the limit and not allowed"
        for key, lines in sorted(over.items())
        if key not in allowed
    ]
    problems += [
        f"{key}: {over[key]} lines, grown past its allowance of {allowed[key]}"
        for key in sorted(over)
        if key in allowed and over[key] > allowed[key]
    ]
    problems += [
        f"{key}: within the limit now; remove it from ALLOWED"
        for key in sorted(allowed)
        if key not in over
    ]
    return problems


def test_no_function_or_module_over_the_limits_beyond_the_allowance() -> None:
    assert against_allowance(oversized(ROOT), ALLOWED) == []


def test_the_measure_sees_what_it_forbids(tmp_path: Path) -> None:
    """Methods and nested functions are measured, tests are not, and the allowance only
    shrinks (so the silence of the test above means something)."""
    body = "".join(f"    x{i} = {i}\n" for i in range(FUNCTION_MAX))
    (tmp_path / "libs" / "tests").mkdir(parents=True)
    (tmp_path / "libs" / "big.py").write_text(
        f"class A:\n  def method(self):\n{body}\n"
        f"def outer():\n  def inner():\n{body}\n  return inner\n" + "\n" * MODULE_MAX
    )
    (tmp_path / "libs" / "tests" / "test_big.py").write_text("\n" * (2 * MODULE_MAX))
    over = oversized(tmp_path)
    assert sorted(over) == [
        "libs/big.py",
        "libs/big.py:A.method",
        "libs/big.py:outer",
        "libs/big.py:outer.inner",
    ]
    allowed = {"libs/big.py": over["libs/big.py"], "libs/big.py:A.method": 1, "libs/gone.py": 500}
    assert against_allowance(over, allowed) == [
        f"libs/big.py:outer: {over['libs/big.py:outer']} lines, over the limit and not allowed",
        f"libs/big.py:outer.inner: {FUNCTION_MAX + 1} lines, over the limit and not allowed",
        f"libs/big.py:A.method: {FUNCTION_MAX + 1} lines, grown past its allowance of 1",
        "libs/gone.py: within the limit now; remove it from ALLOWED",
    ]
