"""Events of the fileshare context: shares, their virus scans, approvals, downloads (SPEC F1–F8).

A share is one upload of 1–5 files with a purpose. Aggregate ``share`` (id: the share's
id) goes ``ShareUploaded`` → one ``FileScanned`` per file → ``ShareAvailable`` |
``ShareAwaitingApproval`` → ``ShareApproved`` | ``ShareDenied``, or ``ShareBlocked`` when a
file is not clean; ``ShareExpired`` when the download period ends. Every download is its
own aggregate (``download``), so that concurrent downloads never conflict on a version.

These events carry what the ファイル共有 log (SPEC A1) shows: 処理時間 (``occurred_at``),
アカウント and ユーザー名 of the share's user, 処理 (the event), ファイル名 and 容量
(``files``), 院内外 (``direction``), 共有理由 (``purpose``), 検査結果 (``FileScanned`` and
the settling event), 承認 and 承認/否認時間 (``ShareApproved``/``ShareDenied``). File names
are shown as the uploader gave them and are never used as storage paths. No secret,
no file content.
"""

from datetime import datetime
from typing import Literal

import msgspec

from libs.events.catalogue.base import Event

Direction = Literal["inside", "outside"]
"""院内外: 院内 when the source address is in the facility's internal networks, else 院外."""

ScanResult = Literal["clean", "infected", "unscannable"]
"""検査結果 of one file: 脅威なし | 脅威あり | 検査不可 (before it: 検査待ち)."""

UploaderRole = Literal["user", "admin"]


class SharedFile(msgspec.Struct, frozen=True, kw_only=True):
    """One file of a share, as uploaded."""

    file_id: str
    name: str
    """ファイル名 exactly as given by the uploader (display only)."""
    size: int
    """容量 in bytes."""
    sha256: str
    """Hex digest of the stored bytes."""


class ShareUploaded(Event, frozen=True, kw_only=True, tag="ShareUploaded.v1"):
    """Files were uploaded and stored; each is 検査待ち until its ``FileScanned``."""

    context = "fileshare"
    aggregate = "share"

    owner_account: str
    """アカウント of the user the share belongs to: the uploader, or the user an admin
    uploaded to (SPEC F8)."""
    owner_name: str
    """ユーザー名 (``姓 名``) of that user at upload time."""
    uploaded_by: str
    """Account of whoever uploaded (also ``actor.id``)."""
    uploaded_by_role: UploaderRole
    direction: Direction
    """院内外 of the uploader's source address."""
    purpose: str
    """共有目的 / 共有理由, 1–200 characters."""
    files: tuple[SharedFile, ...]
    needs_approval: bool
    """True when the user's ファイル共有権限 is 承認後に許可 (SPEC F4)."""
    expires_at: datetime
    """End of the download period (SPEC F7); the files are deleted then."""
    owner_id: str | None = None
    """identity's id of that user: the share is that user's, not its account name's (a user
    created later with the same name is another user). None in shares uploaded before
    issue 16 (item 3), whose owner fileshare's migration 0005 worked out where it could."""


class FileScanned(Event, frozen=True, kw_only=True, tag="FileScanned.v1"):
    """One file of a share was scanned by ClamAV (SPEC F3)."""

    context = "fileshare"
    aggregate = "share"

    file_id: str
    name: str
    result: ScanResult
    signature: str | None = None
    """What ClamAV reported, e.g. ``Eicar-Test-Signature`` or ``Heuristics.Encrypted.Zip``."""


class ShareAvailable(Event, frozen=True, kw_only=True, tag="ShareAvailable.v1"):
    """Every file is clean and no approval is needed: the share can be downloaded."""

    context = "fileshare"
    aggregate = "share"

    owner_account: str


class ShareAwaitingApproval(Event, frozen=True, kw_only=True, tag="ShareAwaitingApproval.v1"):
    """Every file is clean and the user's permission is 承認後に許可: it waits for an admin."""

    context = "fileshare"
    aggregate = "share"

    owner_account: str


class ShareBlocked(Event, frozen=True, kw_only=True, tag="ShareBlocked.v1"):
    """A file is 脅威あり or 検査不可: the share can never be downloaded; its files are deleted."""

    context = "fileshare"
    aggregate = "share"

    owner_account: str
    result: Literal["infected", "unscannable"]
    """The share's 検査結果: 脅威あり wins over 検査不可."""


class ShareApproved(Event, frozen=True, kw_only=True, tag="ShareApproved.v1"):
    """An admin approved (「承認」) a share; final (SPEC F5). The admin is the actor."""

    context = "fileshare"
    aggregate = "share"

    owner_account: str


class ShareDenied(Event, frozen=True, kw_only=True, tag="ShareDenied.v1"):
    """An admin denied (「否認」) a share; final (SPEC F5). The admin is the actor."""

    context = "fileshare"
    aggregate = "share"

    owner_account: str


class ShareDownloaded(Event, frozen=True, kw_only=True, tag="ShareDownloaded.v1"):
    """Someone downloaded one file of a share (SPEC A7). Aggregate: the download itself.

    The downloader is the actor (account, role, source address).
    """

    context = "fileshare"
    aggregate = "download"

    share_id: str
    owner_account: str
    file_id: str
    name: str
    size: int
    direction: Direction
    """院内外 of the downloader's source address."""


class ShareExpired(Event, frozen=True, kw_only=True, tag="ShareExpired.v1"):
    """The download period ended: the files were deleted, the log row stays (SPEC F7)."""

    context = "fileshare"
    aggregate = "share"

    owner_account: str


FILESHARE_EVENTS: tuple[type[Event], ...] = (
    ShareUploaded,
    FileScanned,
    ShareAvailable,
    ShareAwaitingApproval,
    ShareBlocked,
    ShareApproved,
    ShareDenied,
    ShareDownloaded,
    ShareExpired,
)
