"""The building blocks of every command on users (SPEC U1–U7): the checks of a profile
and its terminals, and writing one user's events in a unit of work (``create_in``,
``update_in``) with the secrets issued and an import row's result alongside.

Initial passwords and second passwords are generated here, returned once to the caller
and kept only as hashes (decision 0004). A command's reply names its last event
(``last_event_id``): the consistency token for reads in other services.
"""

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from libs.events.catalogue import Event
from libs.events.catalogue.users import UserProfile
from libs.events.envelope import Actor, next_events
from libs.events.ids import new_id
from libs.runtime.problems import DomainError
from services.identity.app.password_ports import Passwords
from services.identity.app.unit_of_work import Alongside, FacilityRow, RowRecord, UserUnitOfWork
from services.identity.domain import user as aggregate
from services.identity.domain.errors import conflict, facility_not_found, not_found, taken
from services.identity.domain.federation import CatalogueState
from services.identity.domain.user import User, fold
from services.identity.domain.user_profile import (
    Problems,
    ProfileDraft,
    check_terminals,
    read_profile,
)


@dataclass(frozen=True)
class Issued:
    """Secrets shown once (U2, U4): never stored in clear, never readable again.

    An empty one was not issued: a reset gives only what it resets."""

    password: str = ""
    second_password: str = ""
    password_hash: str = field(default="", repr=False)
    """What is stored of ``password``."""
    second_password_hash: str = field(default="", repr=False)
    """What is stored of ``second_password``."""

    @classmethod
    def fresh(
        cls, passwords: Passwords, *, password: bool = True, second_password: bool = True
    ) -> "Issued":
        """New secrets with their hashes: both for a new user, what it resets otherwise."""
        first = passwords.generate_secret() if password else ""
        second = passwords.generate_secret() if second_password else ""
        return cls(
            first,
            second,
            passwords.hash_generated_secret(first) if first else "",
            passwords.hash_generated_secret(second) if second else "",
        )


@dataclass(frozen=True)
class Checked:
    """A profile and terminal set that passed every U1 check."""

    profile: UserProfile
    terminals: frozenset[str]


@dataclass(frozen=True)
class Outcome:
    """What a command did to one user."""

    before: User | None
    """None for a new user."""
    after: User | None
    """None once deleted."""
    events: tuple[Event, ...]
    issued: Issued | None = None
    last_event_id: str | None = None
    """None when nothing changed (nothing was written)."""


Recorder = Callable[[Outcome], RowRecord]
"""What to keep of a command's outcome in its own transaction (an import row's result)."""


def check_input(
    draft: ProfileDraft,
    terminal_ids: Collection[str],
    *,
    today: date,
    federation_catalogue: CatalogueState,
    terminals: Mapping[str, str],
    problems: Problems,
    held: Collection[str] = (),
) -> Checked | None:
    """Every U1 check of a profile and its terminals; problems go to ``problems``.

    ``held``: the user's 認証連携先 before this change, which it keeps even once retired.
    """
    found = len(problems.items)
    profile = read_profile(
        draft,
        today=today,
        federation_catalogue=federation_catalogue.allowed_for(held),
        retired_targets=federation_catalogue.retired(),
        problems=problems,
    )
    chosen = problems.check(check_terminals, terminal_ids, terminals)
    if len(problems.items) > found or profile is None or chosen is None:
        return None
    return Checked(profile, chosen)


async def facility_of(uow: UserUnitOfWork, code: str) -> FacilityRow:
    facility = await uow.facility_by_code(code)
    if facility is None:
        raise facility_not_found()
    return facility


async def checked_input(
    uow: UserUnitOfWork,
    facility: FacilityRow,
    draft: ProfileDraft,
    terminal_ids: Collection[str],
    today: date,
    problems: Problems,
    held: Collection[str] = (),
) -> Checked | None:
    return check_input(
        draft,
        terminal_ids,
        today=today,
        federation_catalogue=await uow.federation_catalogue(facility),
        terminals=await uow.live_terminals(facility),
        problems=problems,
        held=held,
    )


async def missing_user(uow: UserUnitOfWork, facility: FacilityRow, user_id: str) -> DomainError:
    """Why ``user_id`` is not a user of the facility: an admin's id, or not found (T3)."""
    if await uow.is_admin_of(facility, user_id):
        return conflict("account_is_admin")
    return not_found("user_not_found")


def refuse_taken(kind: str | None) -> None:
    """Refuse an account already held (``kind``): an admin's can never become a user's."""
    if kind == "admin":
        raise taken("name", "account_is_admin")
    if kind is not None:
        raise taken("name", "account_taken")


async def create_in(
    uow: UserUnitOfWork,
    facility: FacilityRow,
    account: str,
    checked: Checked,
    actor: Actor,
    *,
    issued: Issued,
    record: Recorder | None = None,
) -> Outcome:
    """Inside ``uow``: create ``account``, which the caller found free (``refuse_taken``).

    Should another command take it meanwhile, the accounts table's key refuses this one.
    """
    user_id = new_id()
    envelopes = next_events(
        aggregate.create(account, checked.profile, checked.terminals),
        aggregate_id=user_id,
        facility=facility.code,
        version=0,
        actor=actor,
    )
    outcome = Outcome(
        before=None,
        after=fold(envelopes),
        events=tuple(env.event for env in envelopes),
        issued=issued,
        last_event_id=envelopes[-1].event_id,
    )
    secrets = (issued.password_hash, issued.second_password_hash)
    await uow.append(
        envelopes,
        Alongside(user_id, secrets, record(outcome) if record is not None else None),
    )
    await uow.commit()
    return outcome


async def update_in(
    uow: UserUnitOfWork,
    user: User,
    events: Sequence[Event],
    actor: Actor,
    *,
    issued: Issued | None = None,
    record: Recorder | None = None,
) -> Outcome:
    """Inside ``uow``: append ``events`` of ``user`` (resets with the secrets ``issued``)."""
    if not events:
        outcome = Outcome(before=user, after=user, events=())
        if record is not None:
            await uow.record_job_row(record(outcome))
            await uow.commit()
        return outcome
    envelopes = next_events(
        events, aggregate_id=user.user_id, facility=user.facility, version=user.version, actor=actor
    )
    outcome = Outcome(
        before=user,
        after=fold(envelopes, user),
        events=tuple(events),
        issued=issued,
        last_event_id=envelopes[-1].event_id,
    )
    kept = record(outcome) if record is not None else None
    await uow.append(envelopes, Alongside(user.user_id, record=kept) if kept else None)
    if issued is not None and issued.password:
        await uow.reset_user_password(user.user_id, issued.password_hash)
    if issued is not None and issued.second_password:
        await uow.reset_user_second_password(user.user_id, issued.second_password_hash)
    await uow.commit()
    return outcome
