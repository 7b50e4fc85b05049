"""What the gateway may know of audit, and all it may import of it (decision 0034): a log
page's wire types (typed rows for the UI's behaviour, shown cells for its table; SPEC
A1–A7), a full export's request and its row of 「出力一覧」 (A5). Imports only msgspec, the
standard library and libs.

A row's ``cells`` are the texts of the log's columns in order, exactly as the CSV writes
them (empty where the screen shows ``--``); the typed fields are what the UI acts on: a
live session's id for 「強制切断」 (A6), a clean share's files for download links (A7).
"""

from datetime import datetime

import msgspec

LOG_PATH = "/internal/v1/facilities/{code:str}/logs/{log:str}"
"""One page of a log (fill with ``libs.runtime.paths.fill``)."""
LOG_CSV_PATH = f"{LOG_PATH}/csv"
"""A log's 「CSV出力」 of the current query."""
LOG_EXPORTS_PATH = f"{LOG_PATH}/exports"
"""Queueing a log's full export."""
EXPORTS_PATH = "/internal/v1/facilities/{code:str}/exports"
"""The facility's full exports (出力一覧)."""
EXPORT_PATH = f"{EXPORTS_PATH}/{{job_id:str}}"
"""One export."""
EXPORT_FILE_PATH = f"{EXPORT_PATH}/file"
"""One export's file."""
OPERATIONS_PATH = "/internal/v1/facilities/{code:str}/operations"
"""操作ログ's newest rows, unpaged: the first route of audit, kept for its early callers."""
PURGE_PATH = "/internal/v1/operator/audit/purge"
"""Operators: run the retention purge now."""


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


class ExportRequest(msgspec.Struct, frozen=True, kw_only=True):
    """The log's current query, as the list takes it: period and filters."""

    period: str = "7d"
    day_from: str | None = msgspec.field(default=None, name="from")
    day_to: str | None = msgspec.field(default=None, name="to")
    filters: list[str] = []


class ExportJob(msgspec.Struct, frozen=True, kw_only=True):
    """One row of 「出力一覧」."""

    id: str
    log: str
    kind: str
    """出力種別, e.g. 「端末接続履歴（全件CSV出力）」."""
    status: str
    """queued | running | done | failed."""
    status_label: str
    """待機中 | 処理中 | 完了 | 失敗."""
    created_at: datetime
    """作成日時."""
    completed_at: datetime | None
    """完了日時."""
    file_size: int | None
    """ファイルサイズ in bytes, once done."""
    row_count: int | None
    expires_at: datetime | None
    """End of 有効期間; the file can be downloaded until then."""
    remaining_days: int | None
    """「残りN日」."""
    requested_by: str
    error: str | None = None
