"""What a log page answers: typed rows for the UI's behaviour, shown cells for its table.

``cells`` are the texts of the log's columns in order, exactly as the CSV writes them
(empty where the screen shows ``--``); the typed fields are what the UI acts on: a live
session's id for 「強制切断」 (A6), a clean share's files for download links (A7).
"""

from datetime import datetime

import asyncpg
import msgspec


class ConnectionRow(msgspec.Struct, frozen=True, kw_only=True, tag="connections", tag_field="log"):
    id: str
    started_at: datetime
    ended_at: datetime | None
    account: str
    terminal_id: str
    state: str
    """live | ended | force_closed | timed_out | refused."""
    reason: str | None
    """Why it was refused, or how it ended."""
    live: bool
    """「接続中」: the UI offers 「強制切断」 on this row (A6, C4)."""
    session_id: str | None
    """The session to force-close at terminals; None for a refused attempt."""
    decision_id: str | None
    closed_by: str | None
    close_reason: str | None
    close_acknowledged_at: datetime | None
    cells: list[str]


class SignInRow(msgspec.Struct, frozen=True, kw_only=True, tag="signins", tag_field="log"):
    id: str
    occurred_at: datetime
    account: str
    account_id: str | None
    app: str
    step: str
    result: str
    reason: str
    correlation_id: str
    cells: list[str]


class SharedFile(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    name: str


class FileShareRow(msgspec.Struct, frozen=True, kw_only=True, tag="fileshare", tag_field="log"):
    id: str
    occurred_at: datetime
    share_id: str
    action: str
    account: str
    files: list[SharedFile]
    total_bytes: int
    network: str
    scan: str
    approval: str
    decided_at: datetime | None
    download_until: datetime | None
    downloadable: bool
    """Clean, allowed and within its download period now: names are links (A7)."""
    cells: list[str]


class OperationRow(msgspec.Struct, frozen=True, kw_only=True, tag="operations", tag_field="log"):
    id: str
    occurred_at: datetime
    actor_id: str
    actor_role: str
    action: str
    """The event's name, e.g. ``UserCreated``."""
    target_type: str
    target_id: str
    target: str
    cells: list[str]


LogRow = ConnectionRow | SignInRow | FileShareRow | OperationRow


def connection_row(record: asyncpg.Record, cells: list[str]) -> ConnectionRow:
    refused = record["state"] == "refused"
    return ConnectionRow(
        id=record["row_id"],
        started_at=record["started_at"],
        ended_at=record["ended_at"],
        account=record["account"],
        terminal_id=record["terminal_id"],
        state=record["state"],
        reason=record["reason"],
        live=record["state"] == "live",
        session_id=None if refused else record["row_id"],
        decision_id=record["decision_id"],
        closed_by=record["closed_by"],
        close_reason=record["close_reason"],
        close_acknowledged_at=record["close_acknowledged_at"],
        cells=cells,
    )


def signin_row(record: asyncpg.Record, cells: list[str]) -> SignInRow:
    return SignInRow(
        id=record["event_id"],
        occurred_at=record["occurred_at"],
        account=record["account"],
        account_id=record["account_id"],
        app=record["app"],
        step=record["step"],
        result=record["result"],
        reason=record["reason"],
        correlation_id=record["correlation_id"],
        cells=cells,
    )


def fileshare_row(record: asyncpg.Record, cells: list[str], now: datetime) -> FileShareRow:
    until = record["download_until"]
    downloadable = (
        record["action"] == "upload"
        and record["scan"] == "clean"
        and record["approval"] in ("not_required", "approved")
        and not record["files_deleted"]
        and until is not None
        and now < until
    )
    return FileShareRow(
        id=record["row_id"],
        occurred_at=record["occurred_at"],
        share_id=record["share_id"],
        action=record["action"],
        account=record["account"],
        files=[
            SharedFile(id=file_id, name=name)
            for file_id, name in zip(record["file_ids"], record["file_names"], strict=False)
        ],
        total_bytes=record["total_bytes"],
        network=record["network"],
        scan=record["scan"],
        approval=record["approval"],
        decided_at=record["decided_at"],
        download_until=until,
        downloadable=downloadable,
        cells=cells,
    )


def operation_row(record: asyncpg.Record, cells: list[str]) -> OperationRow:
    return OperationRow(
        id=record["event_id"],
        occurred_at=record["occurred_at"],
        actor_id=record["actor_id"],
        actor_role=record["actor_role"],
        action=record["action"],
        target_type=record["target_type"],
        target_id=record["target_id"],
        target=record["target"],
        cells=cells,
    )


def log_row(log: str, record: asyncpg.Record, cells: list[str], now: datetime) -> LogRow:
    """The typed row of ``log`` for one record of its page query."""
    if log == "connections":
        return connection_row(record, cells)
    if log == "signins":
        return signin_row(record, cells)
    if log == "fileshare":
        return fileshare_row(record, cells, now)
    return operation_row(record, cells)


class ColumnOut(msgspec.Struct, frozen=True, kw_only=True):
    key: str
    """Use in ``filter=<key>:<value>``."""
    label: str


class PeriodOut(msgspec.Struct, frozen=True, kw_only=True):
    preset: str
    label: str
    start: datetime
    end: datetime | None


class LogPage(msgspec.Struct, frozen=True, kw_only=True):
    log: str
    label: str
    time_zone: str
    period: PeriodOut
    columns: list[ColumnOut]
    rows: list[LogRow]
    next_cursor: str | None
    """Pass as ``cursor`` for the next (older) page; None on the last page."""
    csv_limit: int
    more_than_csv_limit: bool | None
    """On the first page: more rows match than 「CSV出力」 takes (A5); None on later pages."""
