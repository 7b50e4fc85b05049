"""Blobs in a JetStream object store, written and read chunk by chunk, never whole.

The bucket has the layout of NATS object stores (stream ``OBJ_<bucket>``, chunks on
``$O.<bucket>.C.<nuid>``, the object's info on ``$O.<bucket>.M.<name>``), so the ``nats``
CLI and other clients can read it, but put and get are our own: nats-py's ``put`` waits for
one PubAck per chunk, and its ``get`` (without ``writeinto``) builds the object with
``bytes +=`` and drains a push consumer as fast as the server sends. Here a writer keeps a
bounded window of PubAcks in flight, and a reader pulls a few chunks at a time through an
ephemeral pull consumer, so memory stays at a few chunks whatever the size.
"""

import asyncio
import base64
import contextlib
import hashlib
import json
from collections import deque
from collections.abc import AsyncIterator
from datetime import UTC, datetime

from nats.aio.client import Client as NATS
from nats.js import JetStreamContext, api
from nats.js.errors import NotFoundError
from nats.js.kv import MSG_ROLLUP_SUBJECT
from nats.js.object_store import (
    OBJ_CHUNKS_PRE_TEMPLATE,
    OBJ_DIGEST_TEMPLATE,
    OBJ_META_PRE_TEMPLATE,
    OBJ_STREAM_TEMPLATE,
)

from libs.events.streams import while_electing
from services.fileshare.app.blob_store import BlobCorrupt, BlobMissing, StoredBlob

PUBLISH_WINDOW = 16
"""Chunks whose PubAck may be outstanding at once while writing."""
FETCH_CHUNKS = 8
"""Chunks pulled per round trip while reading."""


def _meta_subject(bucket: str, name: str) -> str:
    return OBJ_META_PRE_TEMPLATE.format(
        bucket=bucket, obj=base64.urlsafe_b64encode(name.encode()).decode()
    )


class BlobWriter:
    """One object being written: ``write`` as bytes arrive, ``close`` to commit its info.

    Until ``close`` the object does not exist for readers; ``abort`` purges its chunks.
    """

    def __init__(self, store: "BlobStore", name: str) -> None:
        self._store = store
        self.name = name
        self._nuid = store.nc._nuid.next().decode()
        self._subject = OBJ_CHUNKS_PRE_TEMPLATE.format(bucket=store.bucket, obj=self._nuid)
        self._buffer = bytearray()
        self._acks: deque[asyncio.Future[api.PubAck]] = deque()
        self._hash = hashlib.sha256()
        self.size = 0
        self._chunks = 0

    async def write(self, data: bytes | bytearray | memoryview) -> None:
        self._buffer += data
        chunk_size = self._store.chunk_size
        while len(self._buffer) >= chunk_size:
            await self._publish(bytes(self._buffer[:chunk_size]))
            del self._buffer[:chunk_size]

    async def _publish(self, chunk: bytes) -> None:
        # One connection delivers publishes in call order, so chunks are stored in order
        # while their acks are awaited behind them, a window at a time.
        while len(self._acks) >= PUBLISH_WINDOW:
            await self._acks.popleft()
        self._hash.update(chunk)
        self.size += len(chunk)
        self._chunks += 1
        self._acks.append(await self._store.js.publish_async(self._subject, chunk))

    async def close(self) -> StoredBlob:
        """Flush, wait for every ack, then publish the object's info (it now exists)."""
        if self._buffer:
            await self._publish(bytes(self._buffer))
            self._buffer.clear()
        while self._acks:
            await self._acks.popleft()
        digest = self._hash.digest()
        info = api.ObjectInfo(
            name=self.name,
            bucket=self._store.bucket,
            nuid=self._nuid,
            size=self.size,
            chunks=self._chunks,
            mtime=datetime.now(UTC).isoformat(),
            digest=OBJ_DIGEST_TEMPLATE.format(digest=base64.urlsafe_b64encode(digest).decode()),
            options=api.ObjectMetaOptions(max_chunk_size=self._store.chunk_size),
        )
        await self._store.js.publish(
            _meta_subject(self._store.bucket, self.name),
            json.dumps(info.as_dict()).encode(),
            headers={api.Header.ROLLUP: MSG_ROLLUP_SUBJECT},
        )
        return StoredBlob(self.name, self.size, digest.hex())

    async def abort(self) -> None:
        """Drop whatever was written (best effort: a failure here leaves an orphan chunk run)."""
        # Chunks still on their way would be stored after the purge: let them land first.
        while self._acks:
            with contextlib.suppress(Exception):
                await self._acks.popleft()
        with contextlib.suppress(Exception):
            await self._store.js.purge_stream(self._store.stream, subject=self._subject)


class BlobStore:
    """The object-store bucket holding every shared file."""

    def __init__(self, nc: NATS, bucket: str, *, replicas: int = 1, chunk_size: int = 262144):
        self.nc = nc
        self.js: JetStreamContext = nc.jetstream()
        self.bucket = bucket
        self.stream = OBJ_STREAM_TEMPLATE.format(bucket=bucket)
        self._replicas = replicas
        self.chunk_size = chunk_size

    async def ensure(self) -> None:
        """Create the bucket when missing (file storage, the cluster's replicas)."""
        try:
            await while_electing(lambda: self.js.stream_info(self.stream))
        except NotFoundError:
            config = api.ObjectStoreConfig(
                description="fumidai shared files",
                storage=api.StorageType.FILE,
                replicas=self._replicas,
            )
            await while_electing(lambda: self.js.create_object_store(self.bucket, config=config))

    def writer(self, name: str) -> BlobWriter:
        return BlobWriter(self, name)

    async def info(self, name: str) -> api.ObjectInfo:
        try:
            msg = await self.js.get_last_msg(self.stream, _meta_subject(self.bucket, name))
        except NotFoundError as error:
            raise BlobMissing(name) from error
        info: api.ObjectInfo = api.ObjectInfo.from_response(json.loads(msg.data or b"{}"))
        if info.deleted or not info.nuid:
            raise BlobMissing(name)
        return info

    async def exists(self, name: str) -> bool:
        try:
            await self.info(name)
        except BlobMissing:
            return False
        return True

    async def read(self, name: str) -> AsyncIterator[bytes]:
        """The object's bytes, a chunk at a time; BlobCorrupt at the end if they do not match.

        The info is read before the first chunk is yielded, so a missing object raises
        BlobMissing before a caller has started to answer.
        """
        info = await self.info(name)
        return self._chunks(info)

    async def _chunks(self, info: api.ObjectInfo) -> AsyncIterator[bytes]:
        total = info.chunks or 0
        if total == 0:
            return
        subject = OBJ_CHUNKS_PRE_TEMPLATE.format(bucket=self.bucket, obj=info.nuid)
        sub = await self.js.pull_subscribe(
            subject,
            stream=self.stream,
            config=api.ConsumerConfig(
                ack_policy=api.AckPolicy.NONE,
                deliver_policy=api.DeliverPolicy.ALL,
                mem_storage=True,
                inactive_threshold=60.0,
            ),
        )
        digest = hashlib.sha256()
        size = 0
        received = 0
        try:
            while received < total:
                batch = await sub.fetch(min(FETCH_CHUNKS, total - received), timeout=10.0)
                for msg in batch:
                    received += 1
                    size += len(msg.data)
                    digest.update(msg.data)
                    yield msg.data
        finally:
            with contextlib.suppress(Exception):
                await sub.unsubscribe()
            with contextlib.suppress(Exception):
                await self.js.delete_consumer(self.stream, sub._consumer)
        expected = (info.digest or "").removeprefix("SHA-256=")
        if size != info.size or base64.urlsafe_b64encode(digest.digest()).decode() != expected:
            raise BlobCorrupt(info.name)

    async def delete(self, name: str) -> bool:
        """Delete an object and its chunks; False when it was not there (idempotent)."""
        try:
            info = await self.info(name)
        except BlobMissing:
            return False
        tombstone = api.ObjectInfo(
            name=name,
            bucket=self.bucket,
            nuid=info.nuid,
            size=0,
            chunks=0,
            deleted=True,
            mtime=datetime.now(UTC).isoformat(),
        )
        await self.js.publish(
            _meta_subject(self.bucket, name),
            json.dumps(tombstone.as_dict()).encode(),
            headers={api.Header.ROLLUP: MSG_ROLLUP_SUBJECT},
        )
        await self.js.purge_stream(
            self.stream, subject=OBJ_CHUNKS_PRE_TEMPLATE.format(bucket=self.bucket, obj=info.nuid)
        )
        return True

    async def stored_bytes(self) -> int:
        """Bytes held by the bucket's stream (chunks and infos), for tests and metrics."""
        info = await self.js.stream_info(self.stream)
        return int(info.state.bytes)
