"""The users CSV of 「全件CSV出力」 and 「一括登録」 (SPEC U6), as pure functions.

Reading: UTF-8 with or without BOM, else CP932 (Excel in Japan); the header names the
columns, in any order, 認証連携先 optional; dates ``yyyy/mm/dd`` (also ``yyyy/m/d`` and
``yyyy-mm-dd``), times ``H:MM`` or ``HH:MM``, several values in one cell separated by
commas. Writing: UTF-8 with BOM, CRLF, every cell escaped against formula injection.
The escape is reversible (``unescape_cell(escape_cell(s)) == s`` for every ``s``), so an
export imports back unchanged.
"""

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from libs.events.catalogue.users import UserProfile
from libs.runtime.refusals import DomainError, FieldProblem
from services.identity.domain.errors import field_problem
from services.identity.messages import FILE_SHARE_LABELS, message

ACCOUNT = "アカウント"
FAMILY_NAME = "姓"
GIVEN_NAME = "名"
EMAIL = "メールアドレス"
VALID_FROM = "有効開始日"
VALID_UNTIL = "有効終了日"
MACS = "MACアドレス"
TERMINALS = "接続端末"
HOURS_START = "開始時間"
HOURS_END = "終了時間"
FILE_SHARE = "ファイル共有"
FEDERATION = "認証連携先"

COLUMNS: tuple[str, ...] = (
    ACCOUNT,
    FAMILY_NAME,
    GIVEN_NAME,
    EMAIL,
    VALID_FROM,
    VALID_UNTIL,
    MACS,
    TERMINALS,
    HOURS_START,
    HOURS_END,
    FILE_SHARE,
    FEDERATION,
)
"""The export's header, in order."""
REQUIRED: tuple[str, ...] = COLUMNS[:-1]
"""An import without one of these is refused whole; 認証連携先 may be left out."""
RESULT_COLUMNS: tuple[str, ...] = ("初期パスワード", "初期第二パスワード", "更新内容", "エラー内容")
"""Added to each row of an import's result."""

FIELD_COLUMNS: Mapping[str, str] = {
    "name": ACCOUNT,
    "account": ACCOUNT,
    "family_name": FAMILY_NAME,
    "given_name": GIVEN_NAME,
    "email": EMAIL,
    "valid_from": VALID_FROM,
    "valid_until": VALID_UNTIL,
    "macs": MACS,
    "terminals": TERMINALS,
    "hours_start": HOURS_START,
    "hours_end": HOURS_END,
    "file_share": FILE_SHARE,
    "federation_targets": FEDERATION,
}
"""The column a field problem names in エラー内容."""

_PROFILE_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "family_name": (FAMILY_NAME,),
    "given_name": (GIVEN_NAME,),
    "email": (EMAIL,),
    "valid_from": (VALID_FROM,),
    "valid_until": (VALID_UNTIL,),
    "macs": (MACS,),
    "file_share": (FILE_SHARE,),
    "federation_targets": (FEDERATION,),
}

FILE_SHARE_CODES: Mapping[str, str] = {label: code for code, label in FILE_SHARE_LABELS.items()}

BOM = b"\xef\xbb\xbf"
_FORMULA_STARTS = frozenset("=+-@\t\r")
_QUOTE = "'"


def escape_cell(value: str) -> str:
    """Prefix ``'`` to a cell a spreadsheet would run as a formula (= + - @ tab CR).

    A cell that already starts with ``'`` before one of those (or before another ``'``)
    gets one too, so that ``unescape_cell`` can tell the two apart.
    """
    if not value:
        return value
    if value[0] in _FORMULA_STARTS or (
        value[0] == _QUOTE and len(value) > 1 and value[1] in _FORMULA_STARTS | {_QUOTE}
    ):
        return _QUOTE + value
    return value


def unescape_cell(value: str) -> str:
    """The reverse of ``escape_cell``."""
    if len(value) > 1 and value[0] == _QUOTE and value[1] in _FORMULA_STARTS | {_QUOTE}:
        return value[1:]
    return value


def format_date(value: date) -> str:
    """``yyyy/mm/dd``."""
    return value.isoformat().replace("-", "/")


def split_values(cell: str) -> list[str]:
    """The comma-separated values of a cell, trimmed, empty ones dropped."""
    return [part.strip() for part in cell.split(",") if part.strip()]


def split_terminal_names(cell: str, known: Mapping[str, str]) -> tuple[list[str], list[str]]:
    """Terminal ids named in ``cell`` and the names that match no terminal.

    ``known`` maps lower-cased full names to ids. A name may itself contain commas
    (K1 allows any printable character), so the longest run of comma-separated pieces
    that names a terminal wins.
    """
    parts = cell.split(",")
    ids: list[str] = []
    unknown: list[str] = []
    i = 0
    while i < len(parts):
        for j in range(len(parts), i, -1):
            candidate = ",".join(parts[i:j]).strip().lower()
            if candidate in known:
                ids.append(known[candidate])
                i = j
                break
        else:
            if parts[i].strip():
                unknown.append(parts[i].strip())
            i += 1
    return ids, unknown


def export_row(account: str, profile: UserProfile, terminal_names: Sequence[str]) -> list[str]:
    """One user as a row of ``COLUMNS`` (before escaping)."""
    hours = profile.hours
    return export_cells(
        account,
        profile.family_name,
        profile.given_name,
        profile.email,
        profile.valid_from,
        profile.valid_until,
        profile.macs,
        terminal_names,
        hours.start if hours else None,
        hours.end if hours else None,
        profile.file_share,
        profile.federation_targets,
    )


def export_cells(
    account: str,
    family_name: str,
    given_name: str,
    email: str,
    valid_from: date,
    valid_until: date,
    macs: Sequence[str],
    terminal_names: Sequence[str],
    hours_start: str | None,
    hours_end: str | None,
    file_share: str,
    federation_targets: Sequence[str],
) -> list[str]:
    """The cells of ``COLUMNS`` from a user's stored values (the export's hot path)."""
    return [
        account,
        family_name,
        given_name,
        email,
        format_date(valid_from),
        format_date(valid_until),
        ",".join(macs),
        ",".join(terminal_names),
        hours_start or "",
        hours_end or "",
        FILE_SHARE_LABELS[file_share],
        ",".join(federation_targets),
    ]


class CsvWriter:
    """Rows into UTF-8 CSV with BOM and CRLF, each cell escaped (the export and results)."""

    def __init__(self, header: Sequence[str]) -> None:
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, lineterminator="\r\n")
        self._writer.writerow(header)

    def row(self, cells: Iterable[str]) -> None:
        self._writer.writerow(map(escape_cell, cells))

    def encode(self) -> bytes:
        return BOM + self._buffer.getvalue().encode("utf-8")


def _file_error(code: str, errors: Sequence[FieldProblem] = ()) -> DomainError:
    return DomainError(code, message(code), errors=tuple(errors))


def decode_upload(raw: bytes) -> str:
    """The text of an uploaded CSV: UTF-8 (BOM or not) or CP932; else ``csv_encoding_unreadable``."""
    if raw.startswith(BOM):
        candidates: tuple[tuple[bytes, str], ...] = ((raw[len(BOM) :], "utf-8"),)
    elif raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        candidates = ()  # UTF-16 (Excel's "Unicode text"): not a format we take
    else:
        candidates = ((raw, "utf-8"), (raw, "cp932"))
    for data, encoding in candidates:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _file_error("csv_encoding_unreadable")


@dataclass(frozen=True)
class CsvTable:
    """An uploaded CSV whose header has every required column."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    """Data rows, blank ones left out, cells as in the file (still escaped)."""

    @property
    def has_federation(self) -> bool:
        return FEDERATION in self.header

    def cells(self, row: Sequence[str]) -> dict[str, str]:
        """A row's cells by column name, unescaped; missing trailing cells are empty."""
        return {
            column: unescape_cell(row[i]) if i < len(row) else ""
            for i, column in enumerate(self.header)
        }


def read_table(text: str, *, max_rows: int) -> CsvTable:
    """Parse ``text``; refuse the whole file for a bad header, bad quoting or too many rows."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        first = next(reader, None)
        header = tuple(cell.strip().lstrip("\ufeff").strip() for cell in first or ())
        seen: set[str] = set()
        repeated = []
        for column in header:
            if column and column in seen:
                repeated.append(field_problem(column, "csv_column_repeated"))
            seen.add(column)
        if repeated:
            raise _file_error("csv_malformed", repeated)
        missing = [field_problem(c, "csv_column_missing") for c in REQUIRED if c not in seen]
        if missing:
            raise _file_error("csv_columns_missing", missing)
        rows: list[tuple[str, ...]] = []
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue  # Excel leaves rows of empty cells at the end
            if len(rows) == max_rows:
                raise _file_error("csv_too_many_rows")
            rows.append(tuple(cells))
    except csv.Error as error:  # e.g. a cell over the parser's size limit
        raise _file_error("csv_malformed") from error
    return CsvTable(header=header, rows=tuple(rows))


def changed_columns(
    before: UserProfile, after: UserProfile, *, terminals_changed: bool
) -> list[str]:
    """The columns whose value an import row changed, in header order (更新内容)."""
    changed = {
        column
        for name, columns in _PROFILE_COLUMNS.items()
        if getattr(before, name) != getattr(after, name)
        for column in columns
    }
    old, new = before.hours, after.hours
    if (old.start if old else "") != (new.start if new else ""):
        changed.add(HOURS_START)
    if (old.end if old else "") != (new.end if new else ""):
        changed.add(HOURS_END)
    if terminals_changed:
        changed.add(TERMINALS)
    return [column for column in COLUMNS if column in changed]


def describe_problems(problems: Iterable[FieldProblem]) -> str:
    """エラー内容: every problem of a row, each naming its column, in the header's order."""
    named = [
        (FIELD_COLUMNS.get(problem.field, problem.field), problem.message) for problem in problems
    ]
    named.sort(key=lambda item: COLUMNS.index(item[0]) if item[0] in COLUMNS else len(COLUMNS))
    return " / ".join(f"{column}: {text}" for column, text in named)
