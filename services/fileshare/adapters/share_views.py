"""What the ファイル共有 screens list (SPEC F5, F7, F8, A7), read from the state tables."""

from datetime import datetime
from typing import Literal

import msgspec

from libs.postgres.connection import Connection
from services.fileshare.contract import FileOut, ShareList, ShareOut
from services.fileshare.domain.share import Viewer
from services.fileshare.messages import DIRECTION_LABELS, SCAN_LABELS

View = Literal["all", "approvals"]


def files_label(names: list[str]) -> str:
    """「電子カルテログ_20250520.txt_他2件」: the first name and how many more."""
    if not names:
        return ""
    return names[0] if len(names) == 1 else f"{names[0]}_他{len(names) - 1}件"


def _approval(needs_approval: bool, state: str) -> str:
    if state in ("approved", "denied"):
        return state
    return "pending" if needs_approval else "not_required"


def _downloadable(row: dict[str, object], viewer: Viewer, now: datetime) -> bool:
    expires_at = row["expires_at"]
    assert isinstance(expires_at, datetime)
    if row["files_deleted_at"] is not None or now >= expires_at or row["scan"] != "clean":
        return False
    return viewer == "staff" or row["state"] in ("available", "approved")


_COLUMNS = """s.share_id, s.uploaded_at, s.owner_account, s.owner_name, s.uploaded_by,
    s.uploaded_by_role, s.direction, s.purpose, s.needs_approval, s.state, s.scan,
    s.total_size, s.expires_at, s.decided_by, s.decided_at, s.files_deleted_at,
    (SELECT coalesce(json_agg(json_build_object(
         'file_id', f.file_id, 'name', f.name, 'size', f.size, 'scan', f.scan,
         'signature', f.signature) ORDER BY f.position), '[]')
     FROM share_files f WHERE f.share_id = s.share_id) AS files"""


class _FileRow(msgspec.Struct):
    file_id: str
    name: str
    size: int
    scan: str
    signature: str | None


def _share_out(row: dict[str, object], viewer: Viewer, now: datetime) -> ShareOut:
    raw_files = row["files"]
    assert isinstance(raw_files, str)
    files = msgspec.json.decode(raw_files, type=list[_FileRow])
    downloadable = _downloadable(row, viewer, now)
    scan, state = str(row["scan"]), str(row["state"])
    return ShareOut(
        share_id=str(row["share_id"]),
        uploaded_at=row["uploaded_at"],  # type: ignore[arg-type]
        owner_account=str(row["owner_account"]),
        owner_name=str(row["owner_name"]),
        uploaded_by=str(row["uploaded_by"]),
        uploaded_by_role=str(row["uploaded_by_role"]),
        files_label=files_label([f.name for f in files]),
        files=[
            FileOut(
                file_id=f.file_id,
                name=f.name,
                size=f.size,
                scan=f.scan,
                scan_label=SCAN_LABELS[f.scan],
                signature=f.signature,
                downloadable=downloadable,
            )
            for f in files
        ],
        total_size=int(row["total_size"]),  # type: ignore[call-overload]
        direction=str(row["direction"]),
        direction_label=DIRECTION_LABELS[str(row["direction"])],
        purpose=str(row["purpose"]),
        scan=scan,
        scan_label=SCAN_LABELS[scan],
        state=state,
        approval=_approval(bool(row["needs_approval"]), state),
        decided_by=row["decided_by"],  # type: ignore[arg-type]
        decided_at=row["decided_at"],  # type: ignore[arg-type]
        expires_at=row["expires_at"],  # type: ignore[arg-type]
        files_deleted=row["files_deleted_at"] is not None,
    )


async def facility_shares(
    conn: Connection, facility: str, view: View, limit: int, offset: int, now: datetime
) -> ShareList:
    """A facility's shares, newest first. ``approvals`` is the 「承認」 tab: only clean shares
    of 承認後に許可 users not decided yet (SPEC F5), still within their period."""
    where = "s.facility = $1"
    if view == "approvals":
        where += " AND s.state = 'awaiting_approval' AND s.files_deleted_at IS NULL"
    total = await conn.fetchval(f"SELECT count(*) FROM shares s WHERE {where}", facility)
    rows = await conn.fetch(
        f"""SELECT {_COLUMNS} FROM shares s WHERE {where}
            ORDER BY s.uploaded_at DESC, s.share_id DESC LIMIT $2 OFFSET $3""",
        facility,
        limit,
        offset,
    )
    return ShareList(items=[_share_out(dict(r), "staff", now) for r in rows], total=total)


async def user_shares(
    conn: Connection, facility: str, owner_id: str, limit: int, offset: int, now: datetime
) -> ShareList:
    """A user's own shares: those it uploaded and those admins uploaded to it, newest first.
    By the user's id: a later user with the same account name owns none of them."""
    where = "s.facility = $1 AND s.owner_id = $2"
    total = await conn.fetchval(f"SELECT count(*) FROM shares s WHERE {where}", facility, owner_id)
    rows = await conn.fetch(
        f"""SELECT {_COLUMNS} FROM shares s WHERE {where}
            ORDER BY s.uploaded_at DESC, s.share_id DESC LIMIT $3 OFFSET $4""",
        facility,
        owner_id,
        limit,
        offset,
    )
    return ShareList(items=[_share_out(dict(r), "owner", now) for r in rows], total=total)


async def one_share(
    conn: Connection,
    facility: str,
    share_id: str,
    viewer: Viewer,
    now: datetime,
    owner_id: str | None = None,
) -> ShareOut | None:
    """One share of ``facility`` (and of the user ``owner_id`` when given); None otherwise."""
    row = await conn.fetchrow(
        f"""SELECT {_COLUMNS} FROM shares s WHERE s.facility = $1 AND s.share_id = $2
            AND ($3::text IS NULL OR s.owner_id = $3)""",
        facility,
        share_id,
        owner_id,
    )
    return _share_out(dict(row), viewer, now) if row else None
