"""ファイル共有 (SPEC A1, A7, F1–F8): a row per upload that follows its share, and per download.

The upload row starts 検査待ち and settles with the share: ShareAvailable (脅威なし),
ShareAwaitingApproval (脅威なし, 承認待ち), ShareBlocked (脅威あり or 検査不可, never to be
decided), then ShareApproved / ShareDenied (承認 / 否認, with the time) and ShareExpired (the
files are gone, the row stays). The share's events share a subject, so they arrive in
order; a download, its own aggregate on the same stream, arrives after its share's upload.
A download row names the downloader (the actor), as the directory named it then.
"""

from collections.abc import Sequence

from libs.events.catalogue import Event
from libs.events.catalogue.fileshare import (
    ShareApproved,
    ShareAvailable,
    ShareAwaitingApproval,
    ShareBlocked,
    ShareDenied,
    ShareDownloaded,
    ShareExpired,
    ShareUploaded,
)
from libs.events.envelope import Envelope
from libs.postgres.connection import Connection
from services.audit.adapters.projections.directory import account_name_by_account_at
from services.audit.domain.logs import FILESHARE

_UPLOADED = """
INSERT INTO fileshare_log (row_id, facility, occurred_at, share_id, action, account, user_name,
                           file_ids, file_names, total_bytes, network, purpose, scan, approval,
                           download_until)
VALUES ($1, $2, $3, $1, 'upload', $4, $5, $6, $7, $8, $9, $10, 'pending', $11, $12)
ON CONFLICT (row_id) DO NOTHING
"""

# The share's purpose, decision and period, as its upload row has them now.
_DOWNLOADED = f"""
INSERT INTO fileshare_log (row_id, facility, occurred_at, share_id, action, account, user_name,
                           file_ids, file_names, total_bytes, network, purpose, scan, approval,
                           decided_at, decided_by, download_until)
SELECT $1, $2, $3, $4, 'download', $5,
       coalesce({account_name_by_account_at("$5::text", "$3::timestamptz")}, ''),
       ARRAY[$6::text], ARRAY[$7::text], $8, $9,
       coalesce(u.purpose, ''), 'clean', coalesce(u.approval, 'not_required'), u.decided_at,
       u.decided_by, u.download_until
FROM (SELECT 1) AS one
LEFT JOIN fileshare_log AS u ON u.row_id = $4 AND u.action = 'upload'
ON CONFLICT (row_id) DO NOTHING
"""

_SETTLED = """
UPDATE fileshare_log SET scan = $2,
    approval = CASE WHEN $3::text IS NOT NULL THEN $3
                    WHEN $2 <> 'clean' AND approval = 'pending' THEN 'not_required'
                    ELSE approval END
WHERE row_id = $1 AND action = 'upload' AND scan = 'pending'
"""

_DECIDED = """
UPDATE fileshare_log SET approval = $2, decided_at = $3, decided_by = $4
WHERE row_id = $1 AND action = 'upload' AND decided_at IS NULL
"""


class FileShareLog:
    """ファイル共有."""

    name = FILESHARE.projection
    events: Sequence[type[Event]] = (
        ShareUploaded,
        ShareAvailable,
        ShareAwaitingApproval,
        ShareBlocked,
        ShareApproved,
        ShareDenied,
        ShareDownloaded,
        ShareExpired,
    )
    tables: Sequence[str] = ("fileshare_log",)

    async def apply(self, conn: Connection, envelope: Envelope) -> None:
        data, share_id, at = envelope.data, envelope.aggregate_id, envelope.occurred_at
        if isinstance(data, ShareUploaded):
            await conn.execute(
                _UPLOADED,
                share_id,
                envelope.facility,
                at,
                data.owner_account,
                data.owner_name,
                [f.file_id for f in data.files],
                [f.name for f in data.files],
                sum(f.size for f in data.files),
                data.direction,
                data.purpose,
                "pending" if data.needs_approval else "not_required",
                data.expires_at,
            )
        elif isinstance(data, ShareAvailable):
            await conn.execute(_SETTLED, share_id, "clean", None)
        elif isinstance(data, ShareAwaitingApproval):
            await conn.execute(_SETTLED, share_id, "clean", "pending")
        elif isinstance(data, ShareBlocked):
            await conn.execute(_SETTLED, share_id, data.result, None)
        elif isinstance(data, ShareApproved | ShareDenied):
            decision = "approved" if isinstance(data, ShareApproved) else "denied"
            await conn.execute(_DECIDED, share_id, decision, at, envelope.actor.id)
        elif isinstance(data, ShareExpired):
            await conn.execute(
                "UPDATE fileshare_log SET files_deleted = true WHERE share_id = $1", share_id
            )
        elif isinstance(data, ShareDownloaded):
            await conn.execute(
                _DOWNLOADED,
                envelope.aggregate_id,
                envelope.facility,
                at,
                data.share_id,
                envelope.actor.id,
                data.file_id,
                data.name,
                data.size,
                data.direction,
            )
