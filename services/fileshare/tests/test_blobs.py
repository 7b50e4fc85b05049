"""The object-store adapter: chunked writes and reads that never hold a whole file."""

import hashlib
import secrets
from collections.abc import AsyncIterator

import pytest
from nats.aio.client import Client as NATS

from services.fileshare.adapters.blobs import BlobStore
from services.fileshare.app.blob_store import BlobMissing
from services.fileshare.tests.samples import generated, generated_sha256


@pytest.fixture
async def store(nc: NATS) -> AsyncIterator[BlobStore]:
    bucket = f"TBLOBS_{secrets.token_hex(4)}"
    blobs = BlobStore(nc, bucket, chunk_size=65536)
    await blobs.ensure()
    yield blobs
    await nc.jetstream().delete_object_store(bucket)


async def test_a_blob_goes_in_and_comes_back_chunk_by_chunk(store: BlobStore) -> None:
    size = 5 * 1024 * 1024 + 12345  # not a multiple of the chunk size
    writer = store.writer("998/share/file")
    async for piece in generated(size, seed=7):
        # Odd-sized writes: the writer re-chunks them.
        for start in range(0, len(piece), 100_000):
            await writer.write(piece[start : start + 100_000])
    stored = await writer.close()
    assert (stored.size, stored.sha256) == (size, generated_sha256(size, seed=7))

    digest = hashlib.sha256()
    largest = 0
    async for chunk in await store.read("998/share/file"):
        digest.update(chunk)
        largest = max(largest, len(chunk))
    assert digest.hexdigest() == stored.sha256
    assert largest <= 65536


async def test_an_aborted_or_deleted_blob_is_gone(store: BlobStore) -> None:
    writer = store.writer("aborted")
    await writer.write(b"x" * 200_000)
    await writer.abort()
    with pytest.raises(BlobMissing):
        await store.read("aborted")

    writer = store.writer("kept")
    await writer.write(b"y" * 200_000)
    await writer.close()
    assert await store.exists("kept")
    assert await store.delete("kept") is True
    assert await store.delete("kept") is False
    with pytest.raises(BlobMissing):
        await store.read("kept")
    assert await store.stored_bytes() < 1024  # chunks purged, only the marker is left


async def test_an_empty_file_is_a_blob_too(store: BlobStore) -> None:
    writer = store.writer("empty")
    stored = await writer.close()
    assert stored.size == 0
    assert [chunk async for chunk in await store.read("empty")] == []
