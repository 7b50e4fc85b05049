"""The rows of a users CSV import (SPEC U6): what each row adds to the result, how its
account cell is read, every check of every row against one snapshot, and the result
file. No I/O here: ``user_import.UserImport`` reads the snapshot and applies the rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import msgspec

from libs.runtime.problems import FieldProblem
from services.identity.app.unit_of_work import FacilityRow
from services.identity.app.user_writes import Checked, Outcome, check_input, refuse_taken
from services.identity.domain import csv_format as fmt
from services.identity.domain.accounts import check_account_name, full_account
from services.identity.domain.errors import field_problem, rejected
from services.identity.domain.federation import CatalogueState
from services.identity.domain.user import User
from services.identity.domain.user_profile import Problems, ProfileDraft
from services.identity.messages import CHANGE_LABELS


class RowResult(msgspec.Struct, frozen=True, array_like=True):
    """The columns an import adds to a row (sealed as is in ``job_rows``)."""

    password: str = ""
    second_password: str = ""
    change: str = ""
    errors: str = ""
    outcome: str = "failed"
    """created | updated | unchanged | failed: what the job counts."""


@dataclass
class ImportRow:
    no: int
    cells: dict[str, str]
    account: str | None = None
    problems: list[FieldProblem] = field(default_factory=list)
    checked: Checked | None = None
    new: bool = True
    """No one held the account when the rows were checked."""


def parse_account(cell: str, facility: FacilityRow) -> str:
    """The full account a row names: ``<code>-<name>@<domain>`` of this facility, or the name."""
    text = cell.strip()
    if not text:
        raise rejected([field_problem("account", "csv_account_required")])
    if "@" in text:
        local, _, domain = text.rpartition("@")
        prefix = f"{facility.code}-"
        if domain.lower() != facility.domain.lower() or not local.startswith(prefix):
            raise rejected([field_problem("account", "account_foreign")])
        name = local[len(prefix) :]
    else:
        name = text
    check_account_name(name, "account")
    return full_account(facility.code, name, facility.domain)


def change_text(outcome: Outcome) -> tuple[str, str]:
    """(更新内容, what to count) of a row that ran."""
    if outcome.before is None:
        return CHANGE_LABELS["created"], "created"
    before, after = outcome.before, outcome.after
    assert after is not None
    columns = fmt.changed_columns(
        before.profile, after.profile, terminals_changed=before.terminals != after.terminals
    )
    if not columns:
        return CHANGE_LABELS["unchanged"], "unchanged"
    return "、".join(columns), "updated"


def check_rows(
    rows: list[ImportRow],
    table: fmt.CsvTable,
    existing: dict[str, User],
    holders: dict[str, str],
    catalogue: CatalogueState,
    terminals: dict[str, str],
    facility: FacilityRow,
    today: date,
) -> None:
    """Every problem of every row, against the snapshot (``today`` the facility's); a
    repeated account errs later rows."""
    by_name = {name.lower(): terminal_id for terminal_id, name in terminals.items()}
    seen: set[str] = set()
    for row in rows:
        problems = Problems()
        account = problems.check(parse_account, row.cells.get(fmt.ACCOUNT, ""), facility)
        if account is not None:
            if account.lower() in seen:
                problems.add(field_problem("account", "csv_account_repeated"))
            seen.add(account.lower())
        current = existing.get(account.lower()) if account else None
        if account is not None and current is None:
            problems.check(refuse_taken, holders.get(account.lower()))
        row.new = current is None
        cells = row.cells
        share = cells.get(fmt.FILE_SHARE, "").strip()
        if table.has_federation:
            targets = fmt.split_values(cells.get(fmt.FEDERATION, ""))
        else:  # the column is optional: without it, targets stay as they are
            targets = list(current.profile.federation_targets) if current else []
        draft = ProfileDraft(
            family_name=cells.get(fmt.FAMILY_NAME, ""),
            given_name=cells.get(fmt.GIVEN_NAME, ""),
            email=cells.get(fmt.EMAIL, ""),
            valid_from=cells.get(fmt.VALID_FROM, ""),
            valid_until=cells.get(fmt.VALID_UNTIL, ""),
            macs=fmt.split_values(cells.get(fmt.MACS, "")),
            hours_start=cells.get(fmt.HOURS_START, ""),
            hours_end=cells.get(fmt.HOURS_END, ""),
            file_share=fmt.FILE_SHARE_CODES.get(share, share) if share else "deny",
            federation_targets=targets,
        )
        terminal_ids, unknown = fmt.split_terminal_names(cells.get(fmt.TERMINALS, ""), by_name)
        if unknown:
            problems.add(field_problem("terminals", "terminal_unknown", "、".join(unknown)))
        row.checked = check_input(
            draft,
            terminal_ids,
            today=today,
            federation_catalogue=catalogue,
            terminals=terminals,
            problems=problems,
            held=current.profile.federation_targets if current else (),
        )
        row.account = account
        row.problems = problems.items


def result_csv(rows: list[ImportRow], results: dict[int, RowResult]) -> bytes:
    writer = fmt.CsvWriter((*fmt.COLUMNS, *fmt.RESULT_COLUMNS))
    for row in rows:
        result = results[row.no]
        writer.row(
            [
                *(row.cells.get(column, "") for column in fmt.COLUMNS),
                result.password,
                result.second_password,
                result.change,
                result.errors,
            ]
        )
    return writer.encode()
