"""What a log page answers: typed rows for the UI's behaviour, shown cells for its table.

``cells`` are the texts of the log's columns in order, exactly as the CSV writes them
(empty where the screen shows ``--``); the typed fields are what the UI acts on: a live
session's id for 「強制切断」 (A6), a clean share's files for download links (A7).
"""

from datetime import datetime
from typing import TypeVar

import msgspec

from services.audit.contract import (
    ConnectionRow,
    FileShareRow,
    LogRow,
    OperationRow,
    SharedFile,
    SignInRow,
)
from services.audit.domain.queries import Record

Plain = TypeVar("Plain", SignInRow, OperationRow)


def connection_row(record: Record, cells: list[str]) -> ConnectionRow:
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


def plain_row(kind: type[Plain], record: Record, cells: list[str]) -> Plain:
    """A row whose fields are the record's columns of the same names, its id the event's."""
    names = [f.name for f in msgspec.structs.fields(kind) if f.name not in ("id", "cells")]
    return kind(id=record["event_id"], cells=cells, **{name: record[name] for name in names})


def fileshare_row(record: Record, cells: list[str], now: datetime) -> FileShareRow:
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


def log_row(log: str, record: Record, cells: list[str], now: datetime) -> LogRow:
    """The typed row of ``log`` for one record of its page query."""
    if log == "connections":
        return connection_row(record, cells)
    if log == "signins":
        return plain_row(SignInRow, record, cells)
    if log == "fileshare":
        return fileshare_row(record, cells, now)
    return plain_row(OperationRow, record, cells)
