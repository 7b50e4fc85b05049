"""What the gateway may know of fileshare, and all it may import of it (decision 0034):
the limits of an upload (SPEC F1), which the public API documents and enforces before
streaming, and the share lists' wire types (F5, F7, F8, A7). Imports only msgspec, the
standard library and libs."""

from datetime import datetime

import msgspec

SHARES_PATH = "/internal/v1/facilities/{code:str}/shares"
"""A facility's shares, for its admins (fill with ``libs.runtime.paths.fill``)."""
OWN_SHARES_PATH = "/internal/v1/users/me/shares"
"""The calling user's shares."""

MAX_FILES = 5
"""Files of one share, at most (F1)."""
MAX_TOTAL_BYTES = 99 * 1024 * 1024
"""99 MB together (manual 3.9), in the binary megabytes the UI's sizes use."""
MAX_PURPOSE = 200
"""共有目的, at most, in characters."""
MAX_NAME = 255
"""A file's name, at most, in characters."""
UPLOAD_BODY_LIMIT = MAX_TOTAL_BYTES + 1024 * 1024
"""Bytes a request body may carry: the files' 99 MB plus room for the manifest and the
multipart framing. Litestar counts the bytes actually received, not Content-Length."""


class FileOut(msgspec.Struct, frozen=True, kw_only=True):
    file_id: str
    name: str
    """As the uploader gave it."""
    size: int
    scan: str
    scan_label: str
    signature: str | None
    downloadable: bool
    """True when the caller may download it now (a link in the UI)."""


class ShareOut(msgspec.Struct, frozen=True, kw_only=True):
    share_id: str
    uploaded_at: datetime
    owner_account: str
    owner_name: str
    uploaded_by: str
    uploaded_by_role: str
    files_label: str
    """ファイル名 as the log shows it: the first name, and 「_他N件」 for the rest."""
    files: list[FileOut]
    total_size: int
    direction: str
    direction_label: str
    purpose: str
    scan: str
    scan_label: str
    state: str
    """scanning | available | awaiting_approval | approved | denied | blocked."""
    approval: str
    """not_required | pending | approved | denied."""
    decided_by: str | None
    decided_at: datetime | None
    expires_at: datetime
    files_deleted: bool


class ShareList(msgspec.Struct, frozen=True, kw_only=True):
    items: list[ShareOut]
    total: int
