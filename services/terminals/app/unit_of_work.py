"""What terminals' command handlers need from storage, as a protocol."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, Self

from libs.events.envelope import Envelope
from services.terminals.domain.session import Session
from services.terminals.domain.terminal import Terminal


@dataclass(frozen=True)
class Grant:
    """An allowed decision that may still start its session."""

    decision_id: str
    facility: str
    terminal_id: str
    account: str
    mac: str
    decided_at: datetime


@dataclass(frozen=True)
class Order:
    """One order of a terminal's control channel."""

    terminal_id: str
    seq: int
    session_id: str
    session_version: int
    ordered_at: datetime
    acknowledged: bool


@dataclass(frozen=True)
class CredentialState:
    credential_id: str
    terminal_id: str
    version: int
    revoked: bool


class DecisionAlreadyUsed(Exception):
    """A concurrent start of the same decision committed first."""


class UnitOfWork(Protocol):
    """One transaction: reads and advisory locks, then the events (first write), then
    the state they describe; commit or not. After a commit, new orders are announced."""

    async def __aenter__(self) -> Self: ...

    async def __aexit__(self, *exc: object) -> None: ...

    async def lock(self, *keys: str) -> None:
        """Serialise with other transactions naming the same keys, until this one ends."""
        ...

    async def try_lock(self, key: str) -> bool:
        """Take the lock on ``key`` if no other transaction holds it; True if taken."""
        ...

    async def terminal(self, facility: str, terminal_id: str) -> Terminal | None: ...

    async def name_taken(self, facility: str, name: str, except_id: str | None = None) -> bool: ...

    async def credentials_of(self, terminal_id: str) -> list[CredentialState]: ...

    async def credential(
        self, facility: str, terminal_id: str, credential_id: str
    ) -> CredentialState | None: ...

    async def session(self, session_id: str, facility: str | None = None) -> Session | None:
        """The session, only if it belongs to ``facility`` when one is given."""
        ...

    async def session_of_decision(self, decision_id: str) -> Session | None: ...

    async def live_sessions(
        self,
        *,
        terminal_id: str | None = None,
        facility: str | None = None,
        account: str | None = None,
        silent_since: datetime | None = None,
        limit: int = 1000,
    ) -> list[Session]: ...

    async def grant(self, decision_id: str, terminal_id: str) -> Grant | None: ...

    async def user_active(self, facility: str, account: str) -> bool:
        """True while the projection knows the user and has not seen it deleted."""
        ...

    async def order(self, terminal_id: str, seq: int) -> Order | None: ...

    async def append(
        self, envelopes: Sequence[Envelope], *, secret_hashes: Mapping[str, bytes] | None = None
    ) -> None:
        """Append events and update the state tables they describe.

        ``secret_hashes`` holds, by credential id, the hash of each credential issued.
        """
        ...

    async def commit(self) -> None: ...
