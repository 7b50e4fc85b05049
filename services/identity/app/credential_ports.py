"""What sign-in, 「パスワードを忘れた場合」 and the operators' credential commands need
from storage: the records they read and the unit-of-work port they run in.

The port is split by concern (``CredentialUnitOfWork`` for accounts, passwords and
authenticators; ``SignInUnitOfWork`` adds lockout runs and sign-in transactions;
``RecoveryUnitOfWork`` adds requests and links) but implemented once, by identity's one
unit of work (``adapters/postgres.PostgresUnitOfWork``): one transaction machinery, in
which the events are appended first and the rows they describe follow (decision 0001).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol, Self

from libs.events.catalogue.signin import SignInApp
from libs.events.envelope import Envelope
from services.identity.domain.signin import AccountKind, Lockout, NextStep


@dataclass(frozen=True)
class Account:
    """What sign-in needs of an admin or a user, with its credentials and facility."""

    account_id: str
    kind: AccountKind
    account: str
    facility_id: str
    facility_code: str
    time_zone: str
    password_hash: str | None
    second_password_hash: str | None
    must_change_password: bool
    password_changed_at: datetime | None
    password_max_age_days: int | None
    valid_from: date | None = None
    valid_until: date | None = None
    disabled: bool = False
    """An admin an operator disabled (issue 15): it cannot sign in. Users: never."""

    @property
    def name(self) -> str:
        """The name part of ``<code>-<name>@<domain>`` (SPEC T2)."""
        local = self.account.rpartition("@")[0]
        return local.split("-", 1)[1] if "-" in local else local

    @property
    def key(self) -> str:
        return self.account.lower()


@dataclass(frozen=True)
class Totp:
    secret_sealed: bytes
    enrolled_version: int
    last_step: int


@dataclass(frozen=True)
class Versions:
    """An account aggregate's current version and those of its latest resets (0: none)."""

    current: int
    password_reset: int
    mfa_reset: int

    @property
    def any_reset(self) -> int:
        return max(self.password_reset, self.mfa_reset)


@dataclass(frozen=True)
class SignIn:
    """A sign-in transaction: one account, the next step it must pass, until when."""

    handle_hash: bytes
    signin_ref: str
    account_id: str
    account_kind: AccountKind
    app: SignInApp
    next_step: NextStep
    base_version: int
    password_reason: str | None
    pending_totp_sealed: bytes | None
    created_at: datetime
    expires_at: datetime


class Authenticators(Protocol):
    """Authenticator secrets (L2, L5): made and shown to enrol, sealed at rest for one
    account and opened, and the codes typed checked against them."""

    def new_secret(self) -> str: ...

    def provisioning_uri(self, secret: str, account: str, issuer: str) -> str:
        """The ``otpauth://`` URI an authenticator app scans."""
        ...

    def qr_svg(self, uri: str) -> str: ...

    def seal(self, secret: str, account_id: str) -> bytes: ...

    def open(self, sealed: bytes, account_id: str) -> str:
        """The secret; ValueError when it was not sealed for this account."""
        ...

    def matching_step(self, secret: str, code: str, moment: datetime) -> int | None:
        """The latest time step near ``moment`` whose code is ``code``, or None."""
        ...


class CredentialUnitOfWork(Protocol):
    """One transaction on accounts and their credentials: reads, the events, the rows."""

    async def __aenter__(self) -> Self: ...

    async def __aexit__(self, *exc: object) -> None: ...

    async def commit(self) -> None: ...

    async def lock(self, account_key: str) -> None:
        """Serialise credential work on one account (typed or known) until the end."""
        ...

    async def append(self, envelopes: Sequence[Envelope]) -> None:
        """Append the events (the transaction's first write), then apply them to the rows."""
        ...

    async def find_account(self, account_key: str) -> Account | None:
        """The admin or user whose account is ``account_key`` (lower case), or None."""
        ...

    async def account_by_id(self, account_id: str, kind: AccountKind) -> Account | None: ...

    async def admin_by_account(self, account_key: str) -> Account | None: ...

    async def facility_named_by(self, account_key: str) -> str | None:
        """The code of the facility whose code and domain ``<code>-<name>@<domain>`` names."""
        ...

    async def facility_id_of(self, code: str) -> str | None: ...

    async def versions(self, aggregate_id: str) -> Versions:
        """Read from the event log itself, so they hold whoever keeps the state tables."""
        ...

    async def totp(self, account_id: str) -> Totp | None: ...

    async def set_password(
        self,
        account: Account,
        password_hash: str,
        *,
        must_change: bool,
        changed_at: datetime | None,
    ) -> None: ...

    async def set_admin_second_password(self, admin_id: str, secret_hash: str) -> None: ...

    async def clear_failures(self, account_key: str, ip: str | None = None) -> None:
        """Start the lockout count over (``ip``: that address's run and everywhere's; None:
        every run of the account)."""
        ...

    async def cancel_signins(self, account_id: str) -> None: ...


class SignInUnitOfWork(CredentialUnitOfWork, Protocol):
    """Adds the lockout runs (L4) and the sign-in transactions to credential work."""

    async def failures(self, account_key: str, ip: str | None) -> Lockout: ...

    async def save_failures(self, account_key: str, ip: str | None, state: Lockout) -> None: ...

    async def signin(self, handle_hash: bytes) -> SignIn | None: ...

    async def open_signin(self, signin: SignIn) -> None: ...

    async def advance(
        self,
        handle_hash: bytes,
        next_step: NextStep,
        expires_at: datetime,
        pending_totp_sealed: bytes | None,
    ) -> None: ...

    async def close_signin(self, handle_hash: bytes) -> None: ...

    async def enrol_totp(
        self, account_id: str, secret_sealed: bytes, *, version: int, step: int, at: datetime
    ) -> None: ...

    async def accept_step(self, account_id: str, step: int) -> None: ...

    async def purge(self, now: datetime) -> None:
        """Drop finished sign-ins and forgotten failure runs, a bounded batch at a time."""
        ...
