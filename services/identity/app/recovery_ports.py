"""What 「パスワードを忘れた場合」 needs from storage besides credentials: the requests as
typed, waiting for the worker, and the one-time links it mailed (only their hashes).

Implemented, with the rest of identity's ports, by its one unit of work.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from services.identity.app.credential_ports import SignInUnitOfWork
from services.identity.domain.signin import AccountKind


@dataclass(frozen=True)
class Request:
    """A request as queued: nothing but what was typed, where from and when."""

    request_id: str
    account: str
    app: str
    ip: str | None
    requested_at: datetime
    attempts: int


@dataclass(frozen=True)
class Link:
    """A mailed link, found by its token's hash."""

    token_hash: bytes
    request_id: str
    account_id: str
    account_kind: AccountKind
    app: str
    base_version: int
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None
    replaced_at: datetime | None


class RecoveryUnitOfWork(SignInUnitOfWork, Protocol):
    """Sign-in's unit of work with the requests and links of 「パスワードを忘れた場合」."""

    async def queue_request(
        self, request_id: str, account: str, app: str, ip: str | None, now: datetime
    ) -> None:
        """One insert, whatever ``account`` names: no lookup in the request path."""
        ...

    async def claim_due(self, now: datetime) -> Request | None:
        """The oldest request due that no other worker holds, held until the end."""
        ...

    async def resolve_request(self, request_id: str, outcome: str, now: datetime) -> None: ...

    async def lease_request(self, request_id: str, until: datetime) -> None:
        """The request is being mailed: no other worker takes it before ``until``."""
        ...

    async def retry_request(self, request_id: str, due_at: datetime) -> None:
        """The mail was not accepted: try again at ``due_at``."""
        ...

    async def address_of(self, account_id: str, kind: AccountKind) -> str | None:
        """The registered address: an admin's own (issue 15), a user's profile's (U1)."""
        ...

    async def add_link(self, link: Link) -> None:
        """Store a new link; every earlier link of its account still open is replaced."""
        ...

    async def find_link(self, token_hash: bytes) -> Link | None: ...

    async def use_link(self, token_hash: bytes, now: datetime) -> bool:
        """Consume the link; False when it was used or replaced first."""
        ...

    async def end_link(self, token_hash: bytes, now: datetime) -> None:
        """Void one link (its mail never went out)."""
        ...

    async def end_links(self, account_id: str, now: datetime) -> None:
        """Replace every open link of the account (it recovered, or it was locked)."""
        ...

    async def purge_recovery(self, now: datetime) -> None:
        """Forget finished requests and links a day on, a bounded batch at a time."""
        ...
