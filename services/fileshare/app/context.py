"""What fileshare's command handlers and queries work with, built once at start."""

from dataclasses import dataclass, field

import asyncpg

from libs.events.clock import Clock, system_clock
from libs.runtime.backbone import Backbone
from services.fileshare.adapters.blobs import BlobStore
from services.fileshare.adapters.clamd import Clamd
from services.fileshare.adapters.postgres import UnitOfWork
from services.fileshare.settings import FileshareOwn


@dataclass
class Context:
    """The service's adapters; the blob store exists once NATS is connected."""

    backbone: Backbone
    own: FileshareOwn
    scanner: Clamd
    clock: Clock = system_clock
    _blobs: BlobStore | None = field(default=None, repr=False)

    @property
    def pool(self) -> asyncpg.Pool:
        return self.backbone.pool

    @property
    def blobs(self) -> BlobStore:
        assert self._blobs is not None, "fileshare not started"
        return self._blobs

    def attach_blobs(self, blobs: BlobStore) -> None:
        self._blobs = blobs

    def uow(self) -> UnitOfWork:
        """A new unit of work whose commit wakes the relay."""
        return UnitOfWork(self.backbone.pool, self.backbone.committed)
