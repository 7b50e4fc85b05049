"""The share aggregate: what an upload may hold, how scans settle it, who decides, who may
download (SPEC F1, F3–F5, F7, F8). Pure functions over events; no I/O.
"""

import calendar
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

import msgspec

from libs.events.catalogue import Event
from libs.events.catalogue.fileshare import (
    FileScanned,
    ScanResult,
    ShareApproved,
    ShareAvailable,
    ShareAwaitingApproval,
    ShareBlocked,
    ShareDenied,
    SharedFile,
    ShareExpired,
    ShareUploaded,
)
from libs.events.envelope import Envelope
from libs.text.hidden import is_visible_text
from services.fileshare.contract import MAX_FILES, MAX_NAME, MAX_PURPOSE, MAX_TOTAL_BYTES
from services.fileshare.domain.errors import conflict, forbidden, gone, invalid, not_found

PURPOSE_LINE_BREAK = "\n"
"""The one control character a 共有目的 may hold: it is typed in a text area."""

State = Literal["scanning", "available", "awaiting_approval", "approved", "denied", "blocked"]
Scan = Literal["pending", "clean", "infected", "unscannable"]
Permission = Literal["always", "approval", "deny"]


class FileDeclaration(msgspec.Struct, frozen=True, kw_only=True):
    """One file an upload announces before its bytes."""

    name: str
    size: int


class Manifest(msgspec.Struct, frozen=True, kw_only=True):
    """What an upload announces before any file: checked before anything is stored."""

    purpose: str
    files: tuple[FileDeclaration, ...]
    recipient: str | None = None
    """Account of the user an admin uploads to (SPEC F8); users leave it out."""


def check_manifest(manifest: Manifest) -> None:
    """Refuse an upload over the limits of SPEC F1: 1–5 files, 99 MB, purpose 1–200."""
    if not manifest.purpose.strip():
        raise invalid("purpose", "purpose_required")
    if len(manifest.purpose) > MAX_PURPOSE:
        raise invalid("purpose", "purpose_too_long")
    if not is_visible_text(manifest.purpose, allowed=PURPOSE_LINE_BREAK):
        raise invalid("purpose", "purpose_invalid")
    if not manifest.files:
        raise invalid("files", "upload_no_files")
    if len(manifest.files) > MAX_FILES:
        raise invalid("files", "upload_too_many_files")
    for index, declared in enumerate(manifest.files):
        check_file_name(declared.name, f"files[{index}].name")
        if declared.size < 0:
            raise invalid(f"files[{index}].size", "upload_manifest_invalid")
    if sum(declared.size for declared in manifest.files) > MAX_TOTAL_BYTES:
        raise invalid("files", "upload_too_large", status=413)


def check_file_name(name: str, field: str) -> None:
    """A name is shown as given, so it only has to be of sane length and show what it is:
    no control or format character (``invoice\u202egnp.exe`` shows as ``invoiceexe.png``);
    ``../../etc/passwd`` is a fine name because it never becomes a path."""
    if not 1 <= len(name) <= MAX_NAME or not is_visible_text(name):
        raise invalid(field, "file_name_invalid")


def check_may_share(permission: Permission) -> None:
    """拒否 refuses file sharing up front (SPEC F4)."""
    if permission == "deny":
        raise forbidden("file_share_denied")


def add_months(moment: datetime, months: int) -> datetime:
    """``moment`` plus calendar months, the day clamped to the target month's last."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


@dataclass(frozen=True)
class FileState:
    file_id: str
    name: str
    size: int
    sha256: str
    scan: Scan = "pending"
    signature: str | None = None


@dataclass(frozen=True)
class Share:
    """A share as its events leave it."""

    share_id: str
    facility: str
    version: int
    owner_account: str
    uploaded_by_role: str
    needs_approval: bool
    expires_at: datetime
    files: tuple[FileState, ...]
    state: State = "scanning"
    expired: bool = False
    owner_id: str | None = None
    """The owner's user id; None for a share uploaded before owners had one recorded."""

    def file(self, file_id: str) -> FileState:
        for candidate in self.files:
            if candidate.file_id == file_id:
                return candidate
        raise not_found("file_not_found")

    @property
    def scan(self) -> Scan:
        """The share's 検査結果: 検査待ち until every file has a verdict, then the worst of
        them (脅威あり over 検査不可); clean only when every file is (SPEC F3)."""
        scans = {f.scan for f in self.files}
        worst: tuple[Scan, ...] = ("pending", "infected", "unscannable")
        return next((scan for scan in worst if scan in scans), "clean")


def mutate(share: Share | None, envelope: Envelope) -> Share:
    """The share after one of its events."""
    data = envelope.data
    if isinstance(data, ShareUploaded):
        return Share(
            share_id=envelope.aggregate_id,
            facility=envelope.facility,
            version=envelope.version,
            owner_account=data.owner_account,
            owner_id=data.owner_id,
            uploaded_by_role=data.uploaded_by_role,
            needs_approval=data.needs_approval,
            expires_at=data.expires_at,
            files=tuple(FileState(f.file_id, f.name, f.size, f.sha256) for f in data.files),
        )
    assert share is not None, f"{envelope.type} before ShareUploaded"
    share = replace(share, version=envelope.version)
    if isinstance(data, FileScanned):
        files = tuple(
            replace(f, scan=data.result, signature=data.signature)
            if f.file_id == data.file_id
            else f
            for f in share.files
        )
        return replace(share, files=files)
    if isinstance(data, ShareAvailable):
        return replace(share, state="available")
    if isinstance(data, ShareAwaitingApproval):
        return replace(share, state="awaiting_approval")
    if isinstance(data, ShareBlocked):
        return replace(share, state="blocked")
    if isinstance(data, ShareApproved):
        return replace(share, state="approved")
    if isinstance(data, ShareDenied):
        return replace(share, state="denied")
    if isinstance(data, ShareExpired):
        return replace(share, expired=True)
    return share


def fold(envelopes: Iterable[Envelope]) -> Share | None:
    share: Share | None = None
    for envelope in envelopes:
        share = mutate(share, envelope)
    return share


def shared_files(files: Iterable[tuple[str, str, int, str]]) -> tuple[SharedFile, ...]:
    """(file id, name, size, sha256) as the event's file entries."""
    return tuple(SharedFile(file_id=i, name=n, size=s, sha256=h) for i, n, s, h in files)


def scanned(share: Share, file_id: str, result: ScanResult, signature: str | None) -> list[Event]:
    """The events of one file's verdict: ``FileScanned``, then how the share settles.

    A verdict for a file already scanned, or for a settled share, changes nothing.
    """
    current = share.file(file_id)
    if current.scan != "pending" or share.state != "scanning":
        return []
    events: list[Event] = [
        FileScanned(file_id=file_id, name=current.name, result=result, signature=signature)
    ]
    after = replace(
        share,
        files=tuple(
            replace(f, scan=result, signature=signature) if f.file_id == file_id else f
            for f in share.files
        ),
    )
    settled = settle(after)
    if settled is not None:
        events.append(settled)
    return events


def settle(share: Share) -> Event | None:
    """How a share settles once no file is 検査待ち: blocked, waiting, or available (F3, F4)."""
    scan = share.scan
    if scan == "pending":
        return None
    if scan == "infected" or scan == "unscannable":
        return ShareBlocked(owner_account=share.owner_account, result=scan)
    if share.needs_approval:
        return ShareAwaitingApproval(owner_account=share.owner_account)
    return ShareAvailable(owner_account=share.owner_account)


def decide(share: Share, *, approve: bool) -> Event:
    """「承認」 or 「否認」 of a clean share waiting for it; final (SPEC F5)."""
    if share.state in ("approved", "denied"):
        raise conflict("share_already_decided")
    if share.state != "awaiting_approval" or share.expired:
        raise conflict("share_not_awaiting_approval")
    if approve:
        return ShareApproved(owner_account=share.owner_account)
    return ShareDenied(owner_account=share.owner_account)


def expire(share: Share, now: datetime) -> Event | None:
    """``ShareExpired`` once the download period is over (its files go with it)."""
    if share.expired or now < share.expires_at:
        return None
    return ShareExpired(owner_account=share.owner_account)


Viewer = Literal["staff", "owner"]
"""Who downloads: the facility's admins (and operators), or the share's own user."""


def check_download(share: Share, viewer: Viewer, now: datetime) -> None:
    """Clean files only, within the download period (SPEC F3, F7); the user only once the
    share is available or approved; admins may look at any clean share (A7, F5 MEMO)."""
    if share.expired or now >= share.expires_at:
        raise gone("share_expired")
    if share.scan != "clean":
        raise forbidden("share_not_downloadable")
    if viewer == "owner" and share.state not in ("available", "approved"):
        raise forbidden("share_not_downloadable")
