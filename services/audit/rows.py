"""What a log page answers: typed rows for the UI's behaviour, shown cells for its table.

``cells`` are the texts of the log's columns in order, exactly as the CSV writes them
(empty where the screen shows ``--``); the typed fields are what the UI acts on: a live
session's id for 「強制切断」 (A6), a clean share's files for download links (A7).
"""

from datetime import datetime

import asyncpg

from services.audit.contract import (
    ConnectionRow,
    FileShareRow,
    LogRow,
    OperationRow,
    SharedFile,
    SignInRow,
)


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
