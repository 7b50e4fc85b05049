"""No code written twice across services (issue 18): one piece of code per idea, and code
two services share lives in ``libs/``.

A block of ``MIN_LINES`` or more lines that stands in two different services is a
duplicate. Lines are compared after dropping blank lines, comments, import statements
and lines of punctuation alone (``)``, ``],`` …), with runs of whitespace folded to one
space; the text must be the same to the letter (code of the same shape with other names
is not counted). ``tests/`` and ``migrations/`` are left out, and so is ``libs/``, which
is no service.

``ALLOWED`` lists the pairs of files that shared a block when this test was written. It
only shrinks: the test fails on a pair not listed and on a listed pair that no longer
shares one (remove its line).

Pure: the files are parsed, never imported.
"""

import ast
import io
import re
import tokenize
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MIN_LINES = 6
LEFT_OUT = frozenset({"tests", "migrations", "__pycache__"})
_PUNCTUATION = re.compile(r"[\s()\[\]{}:,;.]*")

ALLOWED: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Line:
    number: int
    """Where the line stands in its file (1-based)."""
    text: str
    """The line as compared: comments dropped, whitespace folded."""


def significant_lines(source: str) -> list[Line]:
    """The lines that count, in order: no blank line, comment, import or punctuation alone."""
    lines = source.splitlines()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            row, col = token.start
            lines[row - 1] = lines[row - 1][:col]
    imports = {
        n
        for node in ast.walk(ast.parse(source))
        if isinstance(node, (ast.Import, ast.ImportFrom))
        for n in range(node.lineno, (node.end_lineno or node.lineno) + 1)
    }
    kept = []
    for number, raw in enumerate(lines, start=1):
        text = " ".join(raw.split())
        if number in imports or _PUNCTUATION.fullmatch(text):
            continue
        kept.append(Line(number, text))
    return kept


def service_files(root: Path) -> dict[str, list[Path]]:
    """Each service's Python files, tests and migrations left out."""
    found: dict[str, list[Path]] = {}
    for home in sorted((root / "services").iterdir()):
        if not (home / "__init__.py").exists():
            continue
        found[home.name] = [
            path
            for path in sorted(home.rglob("*.py"))
            if not LEFT_OUT & set(path.relative_to(home).parts)
        ]
    return found


def shared_blocks(root: Path, min_lines: int = MIN_LINES) -> dict[str, list[str]]:
    """Pairs of files in different services that share a block of ``min_lines`` or more
    lines, as ``a ~ b`` (sorted), each with the line ranges of the blocks they share."""
    files = {
        path.relative_to(root).as_posix(): (service, significant_lines(path.read_text("utf-8")))
        for service, paths in service_files(root).items()
        for path in paths
    }
    windows: dict[tuple[str, ...], list[tuple[str, int]]] = defaultdict(list)
    for name, (_, lines) in files.items():
        for start in range(len(lines) - min_lines + 1):
            windows[tuple(line.text for line in lines[start : start + min_lines])].append(
                (name, start)
            )
    starts: dict[tuple[str, str], set[tuple[int, int]]] = defaultdict(set)
    for places in windows.values():
        for i, (a, start_a) in enumerate(places):
            for b, start_b in places[i + 1 :]:
                if files[a][0] != files[b][0]:
                    left, right = sorted([(a, start_a), (b, start_b)])
                    starts[(left[0], right[0])].add((left[1], right[1]))
    return {
        f"{a} ~ {b}": _runs(sorted(found), files[a][1], files[b][1], min_lines)
        for (a, b), found in sorted(starts.items())
    }


def _runs(starts: list[tuple[int, int]], a: list[Line], b: list[Line], size: int) -> list[str]:
    """Overlapping shared windows joined into the blocks they make, by line numbers."""
    runs: list[list[int]] = []
    for start_a, start_b in starts:
        last = runs[-1] if runs else None
        if last and start_a == last[2] + 1 and start_b == last[3] + 1:
            last[2], last[3] = start_a, start_b
        else:
            runs.append([start_a, start_b, start_a, start_b])
    return [
        f"{a[first_a].number}-{a[end_a + size - 1].number}"
        f" ~ {b[first_b].number}-{b[end_b + size - 1].number}"
        for first_a, first_b, end_a, end_b in runs
    ]


def against_allowance(found: dict[str, list[str]], allowed: frozenset[str]) -> list[str]:
    return [
        f"{pair} (lines {', '.join(found[pair][:3])}): not allowed; move the code to libs/"
        for pair in sorted(set(found) - allowed)
    ] + [
        f"{pair}: no longer shared; remove it from ALLOWED" for pair in sorted(allowed - set(found))
    ]


def test_no_block_stands_in_two_services() -> None:
    assert against_allowance(shared_blocks(ROOT), ALLOWED) == []


def test_the_comparison_sees_what_it_forbids(tmp_path: Path) -> None:
    """Comments, imports, blank lines and whitespace do not hide a copy; the same block
    twice in one service is not counted; a copy in libs/ is not counted."""
    block = "".join(f"value_{i} = compute({i}, 'x')\n" for i in range(MIN_LINES))
    copy = "".join(
        f"value_{i}  =  compute({i}, 'x')  # note\n\n" for i in range(MIN_LINES)
    ).replace("\n\n", "\nimport os\n...\n", 1)
    for where, text in {
        "services/one/a.py": "import sys\n" + block,
        "services/one/b.py": block,
        "services/two/c.py": "# copied\n" + copy,
        "services/two/tests/test_c.py": block,
        "services/two/migrations/m.py": block,
        "libs/shared.py": block,
        "services/two/d.py": block.replace("value_3", "other_3"),
    }.items():
        (tmp_path / where).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / where).write_text(text)
        (tmp_path / where).parent.joinpath("__init__.py").touch()
    found = shared_blocks(tmp_path)
    assert sorted(found) == [
        "services/one/a.py ~ services/two/c.py",
        "services/one/b.py ~ services/two/c.py",
    ]
    assert found["services/one/a.py ~ services/two/c.py"] == [
        f"2-{MIN_LINES + 1} ~ 2-{2 * MIN_LINES + 1}"
    ]
    assert against_allowance(
        found, frozenset({"services/one/b.py ~ services/two/c.py", "x ~ y"})
    ) == [
        f"services/one/a.py ~ services/two/c.py (lines 2-{MIN_LINES + 1} ~ 2-{2 * MIN_LINES + 1}):"
        " not allowed; move the code to libs/",
        "x ~ y: no longer shared; remove it from ALLOWED",
    ]
