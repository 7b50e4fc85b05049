"""audit's settings: the common ones plus its own (``FUMIDAI_AUDIT_*``)."""

from typing import Annotated

import msgspec

from libs.runtime.settings import SettingsWithOwn, load_settings_with_own

SERVICE = "audit"
M = msgspec.Meta


class AuditOwn(msgspec.Struct, frozen=True, kw_only=True):
    """What only audit reads."""

    connections_keep_days: Annotated[
        int, M(ge=1, description="端末接続履歴 retention in days (A1: 2 years).")
    ] = 730
    signins_keep_days: Annotated[
        int, M(ge=1, description="ログインログ retention in days (A1: 30 days).")
    ] = 30
    fileshare_keep_days: Annotated[
        int, M(ge=1, description="ファイル共有 log retention in days (A1: 1 year).")
    ] = 365
    operations_keep_days: Annotated[
        int, M(ge=1, description="操作ログ retention in days (A1: 2 years).")
    ] = 730
    purge_enabled: Annotated[
        bool, M(description="Whether this replica runs the scheduled purge at all.")
    ] = True
    purge_every_s: Annotated[
        float, M(gt=0, description="How often the retention purge runs (A2: daily).")
    ] = 86400.0
    purge_check_s: Annotated[
        float, M(gt=0, description="How often a replica looks whether a purge is due.")
    ] = 300.0
    purge_batch: Annotated[
        int, M(ge=1, le=100000, description="Rows one purge statement deletes at most.")
    ] = 2000
    purge_pause_s: Annotated[
        float, M(ge=0, description="Pause between purge batches, leaving room to others.")
    ] = 0.02
    csv_max_rows: Annotated[
        int, M(ge=1, description="Rows of a 「CSV出力」 at most (A5: 1,000).")
    ] = 1000
    export_keep_days: Annotated[
        int, M(ge=1, description="How long a full export stays downloadable (有効期間).")
    ] = 3
    export_chunk_bytes: Annotated[
        int, M(ge=4096, description="Bytes per stored chunk of an export file.")
    ] = 1024 * 1024
    export_poll_s: Annotated[
        float, M(gt=0, description="How often idle export workers look for queued jobs.")
    ] = 2.0
    export_lease_s: Annotated[
        float, M(gt=0, description="A running export silent this long is taken over.")
    ] = 300.0

    def keep_days(self, log: str) -> int:
        """The retention of ``log`` (``connections``, ``signins``, …) in days (A1)."""
        days: int = getattr(self, f"{log}_keep_days")
        return days


AuditSettings = SettingsWithOwn[AuditOwn]


def load_audit_settings(service: str = SERVICE) -> AuditSettings:
    """``FUMIDAI_AUDIT_*`` (falling back to ``FUMIDAI_*``) and ``FUMIDAI_EVENTS_*``."""
    return load_settings_with_own(service, AuditOwn, SERVICE)
