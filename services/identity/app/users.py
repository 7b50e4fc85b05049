"""Commands on users (SPEC U1–U7): one unit of work each, one append with all its events.

Each handler reads what it needs, calls the pure aggregate (``domain/user.py``), appends
the events as the transaction's first write (their state rows, and a new user's hashed
secrets, follow in the same unit of work), and commits. Initial
passwords and second passwords are generated here, returned once to the caller and kept
only as hashes (decision 0004). A command's reply names its last event
(``last_event_id``): the consistency token for reads in other services.
"""

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from libs.events.catalogue import Event
from libs.events.catalogue.users import UserProfile
from libs.events.envelope import Actor, Envelope, next_events
from libs.events.ids import new_id
from libs.events.retry import retrying
from libs.runtime.problems import DomainError
from services.identity.adapters.passwords import generate_secret, hash_generated_secret
from services.identity.app.unit_of_work import Alongside, FacilityRow, RowRecord, UserUnitOfWork
from services.identity.domain import user as aggregate
from services.identity.domain.accounts import check_account_name, full_account
from services.identity.domain.errors import conflict, facility_not_found, invalid, not_found, taken
from services.identity.domain.federation import CatalogueState
from services.identity.domain.user import User, fold
from services.identity.domain.user_profile import (
    Problems,
    ProfileDraft,
    check_date,
    check_terminals,
    latest_valid_until,
    read_profile,
    today_in,
)
from services.identity.messages import message

END_DATE_MAX_USERS = 1000
TERMINAL_USERS_MAX = 10_000


@dataclass(frozen=True)
class Issued:
    """Secrets shown once (U2, U4): never stored in clear, never readable again.

    An empty one was not issued: a reset gives only what it resets."""

    password: str = ""
    second_password: str = ""

    @classmethod
    def for_new_user(cls) -> "Issued":
        return cls(generate_secret(), generate_secret())


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


async def _checked(
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


async def _missing_user(uow: UserUnitOfWork, facility: FacilityRow, user_id: str) -> DomainError:
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
    secrets = (
        hash_generated_secret(issued.password),
        hash_generated_secret(issued.second_password),
    )
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
        await uow.reset_user_password(user.user_id, hash_generated_secret(issued.password))
    if issued is not None and issued.second_password:
        await uow.reset_user_second_password(
            user.user_id, hash_generated_secret(issued.second_password)
        )
    await uow.commit()
    return outcome


@dataclass(frozen=True)
class CreateUser:
    """「新規」→「登録」 (U2)."""

    facility_code: str
    name: str
    """The account's name part; the admin types only this (T2)."""
    profile: ProfileDraft
    terminals: Sequence[str] = ()


async def create_user(cmd: CreateUser, uow: UserUnitOfWork, actor: Actor, now: datetime) -> Outcome:
    """A new user; its initial password and second password come back once (U2)."""
    async with uow:
        facility = await facility_of(uow, cmd.facility_code)
        problems = Problems()
        name = problems.check(check_account_name, cmd.name, "name")
        checked = await _checked(
            uow, facility, cmd.profile, cmd.terminals, today_in(facility.time_zone, now), problems
        )
        problems.raise_any()
        assert name is not None and checked is not None
        account = full_account(facility.code, name, facility.domain)
        refuse_taken(await uow.account_kind(account))
        return await create_in(uow, facility, account, checked, actor, issued=Issued.for_new_user())


@dataclass(frozen=True)
class UpdateUser:
    """「ユーザー編集」→「登録」 (U4): everything but the account, at the version read."""

    facility_code: str
    user_id: str
    version: int
    profile: ProfileDraft
    terminals: Sequence[str] = ()
    reset_password: bool = False
    reset_mfa: bool = False
    reset_second_password: bool = False


async def update_user(cmd: UpdateUser, uow: UserUnitOfWork, actor: Actor, now: datetime) -> Outcome:
    """Save the form; a stale ``version`` is refused (409), never silently overwritten."""
    async with uow:
        facility = await facility_of(uow, cmd.facility_code)
        user = await uow.user(facility, cmd.user_id)
        if user is None:
            raise await _missing_user(uow, facility, cmd.user_id)
        if user.version != cmd.version:
            raise conflict("version_conflict")
        problems = Problems()
        checked = await _checked(
            uow,
            facility,
            cmd.profile,
            cmd.terminals,
            today_in(facility.time_zone, now),
            problems,
            held=user.profile.federation_targets,
        )
        problems.raise_any()
        assert checked is not None
        events = aggregate.update(user, checked.profile, checked.terminals)
        password = second_password = ""
        if cmd.reset_password:
            events += aggregate.reset_password(user)
            password = generate_secret()
        if cmd.reset_mfa:
            events += aggregate.reset_mfa(user)
        if cmd.reset_second_password:
            events += aggregate.reset_second_password(user)
            second_password = generate_secret()
        issued = Issued(password, second_password) if password or second_password else None
        return await update_in(uow, user, events, actor, issued=issued)


async def reset_user_password(
    facility_code: str, user_id: str, uow: UserUnitOfWork, actor: Actor
) -> Outcome:
    """「パスワードをリセットする」: a new initial password, shown once, to change (U4)."""
    async with uow:
        facility = await facility_of(uow, facility_code)
        user = await uow.user(facility, user_id)
        if user is None:
            raise await _missing_user(uow, facility, user_id)
        return await update_in(
            uow, user, aggregate.reset_password(user), actor, issued=Issued(generate_secret())
        )


async def reset_user_second_password(
    facility_code: str, user_id: str, uow: UserUnitOfWork, actor: Actor
) -> Outcome:
    """「第二パスワードをリセットする」: a new second password, shown once; the old one
    stops working at once (issue 15's recovery of a lost second password)."""
    async with uow:
        facility = await facility_of(uow, facility_code)
        user = await uow.user(facility, user_id)
        if user is None:
            raise await _missing_user(uow, facility, user_id)
        issued = Issued(second_password=generate_secret())
        return await update_in(
            uow, user, aggregate.reset_second_password(user), actor, issued=issued
        )


async def reset_user_mfa(
    facility_code: str, user_id: str, uow: UserUnitOfWork, actor: Actor
) -> Outcome:
    """「多要素認証情報をリセットする」: the authenticator is unbound (U4)."""
    async with uow:
        facility = await facility_of(uow, facility_code)
        user = await uow.user(facility, user_id)
        if user is None:
            raise await _missing_user(uow, facility, user_id)
        return await update_in(uow, user, aggregate.reset_mfa(user), actor)


async def delete_user(
    facility_code: str, user_id: str, uow: UserUnitOfWork, actor: Actor
) -> Outcome:
    """「ユーザー削除」 (U5): assignments go, then the user; admins cannot be deleted."""
    async with uow:
        facility = await facility_of(uow, facility_code)
        user = await uow.user(facility, user_id)
        if user is None:
            if await uow.is_admin_of(facility, user_id):
                raise conflict("admin_not_deletable")
            raise not_found("user_not_found")
        return await update_in(uow, user, aggregate.delete(user), actor)


@dataclass(frozen=True)
class EndDateResult:
    """One checked user's fate in 有効終了日一括登録 (U7)."""

    user_id: str
    account: str | None
    code: str | None = None
    """None: applied (or already that date)."""
    message: str | None = None


@dataclass(frozen=True)
class EndDates:
    results: list[EndDateResult] = field(default_factory=list)
    last_event_id: str | None = None


async def set_end_dates(
    facility_code: str,
    user_ids: Sequence[str],
    valid_until: str,
    uow: UserUnitOfWork,
    actor: Actor,
    now: datetime,
) -> EndDates:
    """One 有効終了日 for the checked users; those starting later get an error, others apply.

    One transaction and one append for all of them. There is no version from the client
    (the admin picks users and a date), so a race with another command is retried on
    fresh state.
    """
    wanted = list(dict.fromkeys(user_ids))
    if not 1 <= len(wanted) <= END_DATE_MAX_USERS:
        raise invalid("user_ids", "end_date_users_invalid")
    until = check_date(valid_until, "valid_until")
    return await retrying(
        lambda: _set_end_dates_once(facility_code, wanted, until, uow, actor, now)
    )


async def _set_end_dates_once(
    facility_code: str,
    user_ids: list[str],
    until: date,
    uow: UserUnitOfWork,
    actor: Actor,
    now: datetime,
) -> EndDates:
    async with uow:
        facility = await facility_of(uow, facility_code)
        today = today_in(facility.time_zone, now)
        if until > latest_valid_until(today):
            raise invalid("valid_until", "valid_until_too_late")
        users = await uow.users(facility, user_ids)
        results: list[EndDateResult] = []
        envelopes: list[Envelope] = []
        for user_id in user_ids:
            user = users.get(user_id)
            if user is None:  # missing, another facility's, or an admin's id (T3)
                results.append(
                    EndDateResult(user_id, None, "user_not_found", message("user_not_found"))
                )
                continue
            try:
                events = aggregate.set_valid_until(user, until, today)
            except DomainError as error:
                results.append(EndDateResult(user_id, user.account, error.code, error.message))
                continue
            envelopes += next_events(
                events,
                aggregate_id=user_id,
                facility=facility.code,
                version=user.version,
                actor=actor,
                correlation_id=envelopes[0].correlation_id if envelopes else None,
            )
            results.append(EndDateResult(user_id, user.account))
        if envelopes:
            await uow.append(envelopes)
            await uow.commit()
        return EndDates(results, envelopes[-1].event_id if envelopes else None)


@dataclass(frozen=True)
class TerminalUsers:
    """What 「接続端末編集」's user selection changed: (user id, account, now assigned)."""

    changed: list[tuple[str, str, bool]] = field(default_factory=list)
    last_event_id: str | None = None


async def set_terminal_users(
    facility_code: str,
    terminal_id: str,
    user_ids: Sequence[str],
    uow: UserUnitOfWork,
    actor: Actor,
) -> TerminalUsers:
    """Make ``user_ids`` exactly the users of ``terminal_id`` (K2, K3), all or nothing.

    The same assignments as the user form's 接続端末 (U1), written as each user's
    TerminalAssigned / TerminalUnassigned in one transaction. A selected id that is not a
    user of the facility (deleted since the screen was drawn, an admin's, another
    facility's) refuses the whole selection: half a selection saved would be a surprise.
    """
    wanted = list(dict.fromkeys(user_ids))
    if len(wanted) > TERMINAL_USERS_MAX:
        raise invalid("user_ids", "terminal_users_too_many")
    return await retrying(
        lambda: _set_terminal_users_once(facility_code, terminal_id, wanted, uow, actor)
    )


async def _set_terminal_users_once(
    facility_code: str,
    terminal_id: str,
    wanted: list[str],
    uow: UserUnitOfWork,
    actor: Actor,
) -> TerminalUsers:
    async with uow:
        facility = await facility_of(uow, facility_code)
        if terminal_id not in await uow.live_terminals(facility):
            raise not_found("terminal_not_found")
        chosen = await uow.users(facility, wanted)
        if len(chosen) != len(wanted):
            raise conflict("selected_user_not_found")
        assigned = await uow.users_of_terminal(facility, terminal_id)
        changes = [(user, True) for user_id, user in chosen.items() if user_id not in assigned]
        changes += [(user, False) for user_id, user in assigned.items() if user_id not in chosen]
        changed: list[tuple[str, str, bool]] = []
        envelopes: list[Envelope] = []
        for user, assign in sorted(changes, key=lambda change: change[0].user_id):
            envelopes += next_events(
                aggregate.set_terminal(user, terminal_id, assign),
                aggregate_id=user.user_id,
                facility=facility.code,
                version=user.version,
                actor=actor,
                correlation_id=envelopes[0].correlation_id if envelopes else None,
            )
            changed.append((user.user_id, user.account, assign))
        if not envelopes:
            return TerminalUsers()
        await uow.append(envelopes)
        await uow.commit()
        return TerminalUsers(changed, envelopes[-1].event_id)


async def unassign_deleted_terminals(
    facility_code: str,
    user_id: str,
    terminal_ids: Collection[str],
    uow: UserUnitOfWork,
    actor: Actor,
) -> Outcome | None:
    """identity's own command reacting to terminals deleted by the terminals service (K4)."""
    async with uow:
        facility = await facility_of(uow, facility_code)
        user = await uow.user(facility, user_id)
        if user is None:
            return None
        events = aggregate.unassign_deleted_terminals(user, terminal_ids)
        return await update_in(uow, user, events, actor) if events else None
