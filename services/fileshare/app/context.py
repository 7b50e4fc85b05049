"""What fileshare's command handlers work with: its ports, settings and clock, wired by
``bootstrap.py``."""

from collections.abc import Callable
from dataclasses import dataclass, field

from libs.events.clock import Clock, system_clock
from services.fileshare.app.blob_store import Blobs
from services.fileshare.app.ports import Directory, UnitOfWork
from services.fileshare.app.scanner import Scanner
from services.fileshare.settings import FileshareOwn


@dataclass
class Context:
    """The service's ports; the blob store exists once NATS is connected."""

    own: FileshareOwn
    new_uow: Callable[[], UnitOfWork]
    """A new unit of work whose commit wakes the relay."""
    directory: Directory
    scanner: Scanner
    clock: Clock = system_clock
    _blobs: Blobs | None = field(default=None, repr=False)

    @property
    def blobs(self) -> Blobs:
        assert self._blobs is not None, "fileshare not started"
        return self._blobs

    def attach_blobs(self, blobs: Blobs) -> None:
        self._blobs = blobs

    def uow(self) -> UnitOfWork:
        """A new unit of work."""
        return self.new_uow()
