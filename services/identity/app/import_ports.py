"""What a users CSV import (SPEC U6) needs from outside: the job's progress it counts
into, a sealer for the rows' results, reads of one snapshot, and lanes to apply rows on
(each a unit of work on a connection of the job's own). Implemented in ``adapters/``."""

from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Protocol

from services.identity.app.unit_of_work import FacilityRow, UserUnitOfWork
from services.identity.domain.user import User


@dataclass
class Progress:
    """How far a job got; written with every heartbeat."""

    total: int | None = None
    done: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0


class Sealer(Protocol):
    """Seals bytes at rest so they open only in their ``context`` (a job, a row)."""

    def seal(self, plain: bytes, context: str) -> bytes: ...

    def open(self, sealed: bytes, context: str) -> bytes: ...


class ImportUnitOfWork(UserUnitOfWork, Protocol):
    """The users' unit of work with the reads an import takes its snapshot with."""

    async def job_rows(self, job_id: str) -> dict[int, bytes]:
        """Sealed results of the rows already applied (a resumed job)."""
        ...

    async def users_by_account(
        self, facility: FacilityRow, account_keys: Sequence[str]
    ) -> dict[str, User]:
        """The facility's users among lower-cased accounts, by lower-cased account."""
        ...

    async def account_kinds(self, account_keys: Sequence[str]) -> dict[str, str]:
        """``admin`` or ``user`` for each lower-cased account already held, anywhere."""
        ...


Lanes = Callable[[int], AbstractAsyncContextManager[list[Callable[[], UserUnitOfWork]]]]
"""Opens ``width`` lanes to apply rows on, each a factory of units of work on one held
connection; they close when the block ends."""
