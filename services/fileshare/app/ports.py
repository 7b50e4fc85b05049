"""What fileshare's use cases need from its database, as protocols (``adapters/postgres.py``
implements them): a unit of work over shares, and reads of the facilities and users
fileshare keeps from identity's events."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self

from libs.events.envelope import Envelope
from services.fileshare.domain.share import Permission, Share


@dataclass(frozen=True)
class Policy:
    """What fileshare knows of a facility."""

    code: str
    internal_networks: tuple[str, ...]
    download_period_months: int


@dataclass(frozen=True)
class ShareUser:
    user_id: str
    facility: str
    account: str
    name: str
    email: str
    file_share: Permission


@dataclass(frozen=True)
class ShareKey:
    """Which share: its facility and id."""

    facility: str
    share_id: str


class UnitOfWork(Protocol):
    """One transaction on shares: read a share, append its events, commit."""

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None: ...

    async def share(self, facility: str, share_id: str) -> Share | None:
        """The share as its events leave it; None when missing or another facility's."""

    async def append(self, envelopes: Sequence[Envelope]) -> None:
        """Append events (the transaction's first write) and update the state tables."""

    async def commit(self) -> None: ...


class Directory(Protocol):
    """Reads outside a unit of work: facilities, users, and shares due for background work."""

    async def policy(self, facility: str) -> Policy | None: ...

    async def user_by_account(self, facility: str, account: str) -> ShareUser | None:
        """A live user of ``facility``; None when missing, deleted or another facility's."""

    async def live_user_id(self, facility: str, account: str) -> str | None:
        """The id of the live user of ``facility`` now holding ``account`` (a user token's
        ``sub``): shares are found by it, never by the name (issue 16, item 3)."""

    async def shares_scanning(self, limit: int) -> list[ShareKey]:
        """Shares with files still 検査待ち, oldest first."""

    async def shares_due(self, now: datetime, limit: int) -> list[ShareKey]:
        """Shares past their download period whose files are still kept, soonest first."""
