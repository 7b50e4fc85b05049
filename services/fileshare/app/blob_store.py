"""What fileshare's use cases need from the object store its files live in
(``adapters/blobs.py`` implements it on a JetStream object store)."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Protocol


class BlobMissing(Exception):
    """No such object (never stored, or deleted)."""


class BlobCorrupt(Exception):
    """The bytes read back do not match the stored size or digest."""


@dataclass(frozen=True)
class StoredBlob:
    name: str
    size: int
    sha256: str
    """Hex digest."""


class BlobWriter(Protocol):
    """One object being written; it exists for readers only once ``close`` returns."""

    async def write(self, data: bytes | bytearray | memoryview) -> None: ...

    async def close(self) -> StoredBlob: ...

    async def abort(self) -> None:
        """Drop whatever was written (best effort)."""


class Blobs(Protocol):
    def writer(self, name: str) -> BlobWriter: ...

    async def read(self, name: str) -> AsyncIterator[bytes]:
        """The object's bytes, chunk by chunk; BlobMissing, or BlobCorrupt while reading."""
        ...

    async def delete(self, name: str) -> bool: ...


def blob_name(facility: str, share_id: str, file_id: str) -> str:
    """Where a file's bytes live: ids only, never the name the uploader gave."""
    return f"{facility}/{share_id}/{file_id}"
