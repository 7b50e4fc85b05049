"""A full export (SPEC A5 beyond) as a job keeps it and as 「出力一覧」 shows it.

Jobs have the shape of identity's exports so the gateway can list both in 「出力一覧」:
作成日時, 出力種別, ステータス (待機中 / 処理中 / 完了 / 失敗), ファイルサイズ, 完了日時, 有効期間.
"""

import math
from datetime import datetime, timedelta

import msgspec

from libs.runtime.refusals import DomainError, NotFound
from services.audit import messages as m
from services.audit.contract import ExportJob
from services.audit.domain.logs import LOGS
from services.audit.domain.periods import Period, time_zone
from services.audit.domain.queries import Filter, Query, Record, struct_of


class StoredQuery(msgspec.Struct, frozen=True, kw_only=True):
    """A query as a job keeps it: the period resolved to instants (a preset's open end
    becomes the time of asking)."""

    log: str
    time_zone: str
    preset: str
    start: datetime
    end: datetime
    filters: list[tuple[str, str]]

    @classmethod
    def of(cls, query: Query, now: datetime) -> "StoredQuery":
        return cls(
            log=query.spec.key,
            time_zone=query.tz.key,
            preset=query.period.preset,
            start=query.period.start,
            end=query.period.end or now,
            filters=[(f.column, f.value) for f in query.filters],
        )

    def query(self, facility: str) -> Query:
        return Query(
            spec=LOGS[self.log],
            facility=facility,
            tz=time_zone(self.time_zone),
            period=Period(self.preset, self.start, self.end),
            filters=tuple(Filter(column, value) for column, value in self.filters),
        )


def export_job(record: Record, now: datetime) -> ExportJob:
    """A job's row of 「出力一覧」 as of ``now`` (「残りN日」 while it is done and valid)."""
    expires, status = record["expires_at"], record["status"]
    remaining = None
    if expires is not None and status == "done":
        remaining = max(0, math.ceil((expires - now) / timedelta(days=1)))
    return struct_of(
        ExportJob,
        record,
        id=record["job_id"],
        kind=m.EXPORT_KIND.format(log=m.LOG_LABELS[record["log"]]),
        status_label=m.EXPORT_STATUSES[status],
        file_size=record["size_bytes"],
        remaining_days=remaining,
        error=m.EXPORT_FAILED if status == "failed" else None,
    )


class ExportGone(DomainError):
    status = 410


def export_not_found() -> NotFound:
    return NotFound("export_not_found", m.message("export_not_found"))


def check_downloadable(job: ExportJob, now: datetime) -> None:
    """A file is served once done (409 before) and until its 有効期間 ends (410 after)."""
    if job.status != "done":
        raise DomainError("export_not_ready", m.message("export_not_ready"), status=409)
    if job.expires_at is None or job.expires_at <= now:
        raise ExportGone("export_expired", m.message("export_expired"))
