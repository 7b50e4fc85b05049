"""What identity's command handlers need from storage, as a protocol."""

from collections.abc import Sequence
from typing import Protocol, Self

from libs.events.envelope import Envelope


class FacilityRow(Protocol):
    @property
    def facility_id(self) -> str: ...

    @property
    def code(self) -> str: ...

    @property
    def domain(self) -> str: ...


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
