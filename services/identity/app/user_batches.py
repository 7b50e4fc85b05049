"""Commands on many users at once: one 有効終了日 for the checked users (U7), and the
users of one terminal (K2, K3). Each is one transaction and one append for all of them,
retried on fresh state should another command win a race (there is no version from the
client to hold against it)."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from libs.events.envelope import Actor, Envelope, next_events
from libs.events.retry import retrying
from libs.runtime.problems import DomainError
from services.identity.app.unit_of_work import UserUnitOfWork
from services.identity.app.user_writes import facility_of
from services.identity.domain import user as aggregate
from services.identity.domain.errors import conflict, invalid, not_found
from services.identity.domain.user_profile import check_date, latest_valid_until, today_in
from services.identity.messages import message

END_DATE_MAX_USERS = 1000
TERMINAL_USERS_MAX = 10_000


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
