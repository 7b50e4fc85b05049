"""Commands on one user (SPEC U2, U4, U5, K4): one unit of work each, one append with
all its events.

Each handler reads what it needs, calls the pure aggregate (``domain/user.py``), and
writes through ``user_writes`` (the events as the transaction's first write, their state
rows and a new user's hashed secrets after them), then commits. Commands on many users
at once are in ``user_batches``.
"""

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from libs.events.envelope import Actor
from services.identity.app.password_ports import Passwords
from services.identity.app.unit_of_work import UserUnitOfWork
from services.identity.app.user_writes import (
    Issued,
    Outcome,
    checked_input,
    create_in,
    facility_of,
    missing_user,
    refuse_taken,
    update_in,
)
from services.identity.domain import user as aggregate
from services.identity.domain.accounts import check_account_name, full_account
from services.identity.domain.errors import conflict, not_found
from services.identity.domain.user_profile import Problems, ProfileDraft, today_in


@dataclass(frozen=True)
class CreateUser:
    """「新規」→「登録」 (U2)."""

    facility_code: str
    name: str
    """The account's name part; the admin types only this (T2)."""
    profile: ProfileDraft
    terminals: Sequence[str] = ()


async def create_user(
    cmd: CreateUser, uow: UserUnitOfWork, passwords: Passwords, actor: Actor, now: datetime
) -> Outcome:
    """A new user; its initial password and second password come back once (U2)."""
    async with uow:
        facility = await facility_of(uow, cmd.facility_code)
        problems = Problems()
        name = problems.check(check_account_name, cmd.name, "name")
        checked = await checked_input(
            uow, facility, cmd.profile, cmd.terminals, today_in(facility.time_zone, now), problems
        )
        problems.raise_any()
        assert name is not None and checked is not None
        account = full_account(facility.code, name, facility.domain)
        refuse_taken(await uow.account_kind(account))
        return await create_in(
            uow, facility, account, checked, actor, issued=Issued.fresh(passwords)
        )


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


async def update_user(
    cmd: UpdateUser, uow: UserUnitOfWork, passwords: Passwords, actor: Actor, now: datetime
) -> Outcome:
    """Save the form; a stale ``version`` is refused (409), never silently overwritten."""
    async with uow:
        facility = await facility_of(uow, cmd.facility_code)
        user = await uow.user(facility, cmd.user_id)
        if user is None:
            raise await missing_user(uow, facility, cmd.user_id)
        if user.version != cmd.version:
            raise conflict("version_conflict")
        problems = Problems()
        checked = await checked_input(
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
        if cmd.reset_password:
            events += aggregate.reset_password(user)
        if cmd.reset_mfa:
            events += aggregate.reset_mfa(user)
        if cmd.reset_second_password:
            events += aggregate.reset_second_password(user)
        issued = (
            Issued.fresh(
                passwords,
                password=cmd.reset_password,
                second_password=cmd.reset_second_password,
            )
            if cmd.reset_password or cmd.reset_second_password
            else None
        )
        return await update_in(uow, user, events, actor, issued=issued)


async def reset_user_password(
    facility_code: str, user_id: str, uow: UserUnitOfWork, passwords: Passwords, actor: Actor
) -> Outcome:
    """「パスワードをリセットする」: a new initial password, shown once, to change (U4)."""
    async with uow:
        facility = await facility_of(uow, facility_code)
        user = await uow.user(facility, user_id)
        if user is None:
            raise await missing_user(uow, facility, user_id)
        issued = Issued.fresh(passwords, second_password=False)
        return await update_in(uow, user, aggregate.reset_password(user), actor, issued=issued)


async def reset_user_second_password(
    facility_code: str, user_id: str, uow: UserUnitOfWork, passwords: Passwords, actor: Actor
) -> Outcome:
    """「第二パスワードをリセットする」: a new second password, shown once; the old one
    stops working at once (issue 15's recovery of a lost second password)."""
    async with uow:
        facility = await facility_of(uow, facility_code)
        user = await uow.user(facility, user_id)
        if user is None:
            raise await missing_user(uow, facility, user_id)
        issued = Issued.fresh(passwords, password=False)
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
            raise await missing_user(uow, facility, user_id)
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
