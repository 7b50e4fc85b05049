"""What a log page answers: typed rows for the UI's behaviour, shown cells for its table.

``cells`` are the texts of the log's columns in order, exactly as the CSV writes them
(empty where the screen shows ``--``); the typed fields are what the UI acts on: a live
session's id for 「強制切断」 (A6), a clean share's files for download links (A7).
"""

from datetime import datetime

from services.audit.contract import (
    ConnectionRow,
    FileShareRow,
    LogRow,
    OperationRow,
    SharedFile,
    SignInRow,
)
from services.audit.domain.queries import Record, struct_of


def connection_row(record: Record, cells: list[str]) -> ConnectionRow:
    return struct_of(
        ConnectionRow,
        record,
        id=record["row_id"],
        live=record["state"] == "live",
        session_id=None if record["state"] == "refused" else record["row_id"],
        cells=cells,
    )


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
    files = [
        SharedFile(id=file_id, name=name)
        for file_id, name in zip(record["file_ids"], record["file_names"], strict=False)
    ]
    return struct_of(
        FileShareRow,
        record,
        id=record["row_id"],
        files=files,
        downloadable=downloadable,
        cells=cells,
    )


def log_row(log: str, record: Record, cells: list[str], now: datetime) -> LogRow:
    """The typed row of ``log`` for one record of its page query."""
    if log == "connections":
        return connection_row(record, cells)
    if log == "signins":
        return struct_of(SignInRow, record, id=record["event_id"], cells=cells)
    if log == "fileshare":
        return fileshare_row(record, cells, now)
    return struct_of(OperationRow, record, id=record["event_id"], cells=cells)
