"""identity's CSV job wire types (SPEC U6): 「全件CSV出力」, 「一括登録」 and their rows of
「出力一覧」, which the gateway lists beside audit's exports."""

from datetime import datetime
from typing import Literal

import msgspec

UPLOAD_SLACK = 1024 * 1024
"""Bodies up to ``csv_max_bytes`` plus this reach the handler, which names the limit."""


JobStatus = Literal["queued", "running", "done", "failed"]


class JobOut(msgspec.Struct, frozen=True, kw_only=True):
    """A row of 出力一覧."""

    job_id: str
    kind: Literal["user_export", "user_import"]
    """``user_export`` 「全件CSV出力」 or ``user_import`` 「一括登録」."""
    kind_label: str
    """出力種別: 「ユーザー一覧」 (export) or 「一括登録結果」 (import's result)."""
    status: JobStatus
    """``queued`` 待機中, ``running`` 処理中, ``done`` 完了, ``failed`` 失敗."""
    status_label: str
    """ステータス as shown: 待機中 / 処理中 / 完了 / 失敗."""
    created_at: datetime
    """作成日時."""
    finished_at: datetime | None
    """完了日時; null until done or failed."""
    file_size: int | None
    """ファイルサイズ in bytes, once the file exists."""
    expires_at: datetime | None
    """When the file is deleted (kept 3 days)."""
    remaining_days: int | None
    """有効期間 「残りN日」 (whole days left)."""
    total_rows: int | None
    """An import's data rows (progress: ``done_rows`` of ``total_rows``); null for exports."""
    done_rows: int
    """Rows handled so far."""
    created_rows: int
    """An import's rows that created a user (新規作成)."""
    updated_rows: int
    """An import's rows that changed a user."""
    unchanged_rows: int
    """An import's rows that changed nothing (変更なし)."""
    failed_rows: int
    """An import's rows refused (their エラー内容 is in the result file)."""
    error_code: str | None
    """Why the job failed (失敗), a stable code."""
    error_message: str | None
    """Why the job failed, in Japanese."""
    downloadable: bool
    """「ダウンロード」 is offered: done and within its 有効期間."""


class JobList(msgspec.Struct, frozen=True, kw_only=True):
    items: list[JobOut]
