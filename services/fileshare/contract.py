"""What the gateway may know of fileshare without importing its internals: the limits of
an upload (SPEC F1), which the public API documents and enforces before streaming."""

from services.fileshare.api.transfer import UPLOAD_BODY_LIMIT
from services.fileshare.domain.share import MAX_FILES, MAX_NAME, MAX_PURPOSE, MAX_TOTAL_BYTES

__all__ = ["MAX_FILES", "MAX_NAME", "MAX_PURPOSE", "MAX_TOTAL_BYTES", "UPLOAD_BODY_LIMIT"]
