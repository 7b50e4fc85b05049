"""What identity's command handlers need from storage, as a protocol."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, Self

from libs.events.envelope import Envelope
from services.identity.domain.federation import CatalogueState
from services.identity.domain.user import User


class FacilityRow(Protocol):
    @property
    def facility_id(self) -> str: ...

    @property
    def code(self) -> str: ...

    @property
    def domain(self) -> str: ...

    @property
    def time_zone(self) -> str: ...


class UnitOfWork(Protocol):
    """One transaction: reads, then the events (first write), then secrets; commit or not."""

    async def __aenter__(self) -> Self: ...

    async def __aexit__(self, *exc: object) -> None: ...

    async def facility_by_code(self, code: str) -> FacilityRow | None: ...

    async def account_taken(self, account: str) -> bool: ...

    async def append(self, envelopes: Sequence[Envelope]) -> None:
        """Append events and update the state tables they describe."""
        ...

    async def set_admin_password(
        self, admin_id: str, password_hash: str, *, must_change: bool
    ) -> None: ...

    async def set_admin_second_password(self, admin_id: str, secret_hash: str) -> None:
        """Store an admin's second password hash (SPEC L3), after ``set_admin_password``."""
        ...

    async def commit(self) -> None: ...


@dataclass(frozen=True)
class RowRecord:
    """An import row's sealed result, kept in the row's own transaction (U6)."""

    job_id: str
    row_no: int
    sealed: bytes


@dataclass(frozen=True)
class Alongside:
    """Rows that are no event's but go with one user's events, in the same statement."""

    user_id: str
    secrets: tuple[str, str] | None = None
    """A new user's (password hash, second password hash)."""
    record: RowRecord | None = None


class UserUnitOfWork(Protocol):
    """One transaction on users (SPEC U1–U7): reads, then the events, then secrets."""

    async def __aenter__(self) -> Self: ...

    async def __aexit__(self, *exc: object) -> None: ...

    async def facility_by_code(self, code: str) -> FacilityRow | None: ...

    async def account_kind(self, account: str) -> str | None:
        """``admin`` or ``user`` when the account (any case) is taken, else None."""
        ...

    async def is_admin_of(self, facility: FacilityRow, admin_id: str) -> bool: ...

    async def user(self, facility: FacilityRow, user_id: str) -> User | None: ...

    async def users(self, facility: FacilityRow, user_ids: Sequence[str]) -> dict[str, User]: ...

    async def users_of_terminal(self, facility: FacilityRow, terminal_id: str) -> dict[str, User]:
        """The facility's users assigned to ``terminal_id``, by id."""
        ...

    async def account_holder(
        self, facility: FacilityRow, account: str
    ) -> tuple[str | None, User | None]:
        """Who holds the account (``admin``/``user``/None), and the facility's user."""
        ...

    async def live_terminals(self, facility: FacilityRow) -> dict[str, str]:
        """id → name of the facility's terminals."""
        ...

    async def federation_catalogue(self, facility: FacilityRow) -> CatalogueState:
        """The facility's 認証連携先, retired ones included (T1)."""
        ...

    async def append(
        self, envelopes: Sequence[Envelope], alongside: Alongside | None = None
    ) -> None:
        """Append events and update the state tables they describe (``alongside`` too)."""
        ...

    async def reset_user_password(self, user_id: str, password_hash: str) -> None: ...

    async def reset_user_second_password(self, user_id: str, secret_hash: str) -> None: ...

    async def record_job_row(self, record: RowRecord) -> None: ...

    async def commit(self) -> None: ...
