"""Operator commands (SPEC T4): register a facility with its first admin, add further
admins, disable and enable them again (issue 15; never delete, manual 3.2), reset an
admin's password, second password or authenticator, set a facility's password expiry (L1)."""

from dataclasses import dataclass

from libs.events.catalogue.credentials import (
    AdminMfaReset,
    AdminPasswordReset,
    AdminSecondPasswordReset,
    FacilityPasswordExpirySet,
)
from libs.events.catalogue.identity import AdminDisabled, AdminEnabled
from libs.events.envelope import Actor, Envelope, next_event
from libs.events.ids import new_id
from libs.runtime.problems import NotFound
from services.identity.app.credential_ports import Account, CredentialUnitOfWork
from services.identity.app.password_ports import Passwords
from services.identity.app.unit_of_work import UnitOfWork
from services.identity.domain.admin import create_admin
from services.identity.domain.errors import conflict, facility_not_found, taken
from services.identity.domain.facility import (
    RegisterFacility,
    check_password_expiry,
    register,
)
from services.identity.messages import message


@dataclass(frozen=True)
class FacilityCreated:
    """What the operator sees once: the admin's account, initial and second passwords."""

    facility_id: str
    admin_id: str
    admin_account: str
    initial_password: str
    last_event_id: str
    """Consistency token: the last event this command wrote."""
    initial_second_password: str = ""
    """The admin's second password (L3); it never changes and is never shown again."""


async def register_facility(
    cmd: RegisterFacility, uow: UnitOfWork, passwords: Passwords, actor: Actor
) -> FacilityCreated:
    """Register a facility and its first admin, whose password must change at first sign-in."""
    facility = register(cmd)
    facility_id = new_id()
    admin_id = new_id()
    admin = create_admin(
        facility_id,
        facility.code,
        facility.domain,
        cmd.admin_name,
        cmd.admin_display_name,
        cmd.admin_email,
    )
    password = passwords.generate_password()
    second_password = passwords.generate_secret()
    async with uow:
        if await uow.facility_by_code(facility.code) is not None:
            raise taken("code", "facility_code_taken")
        if await uow.account_taken(admin.account):
            raise taken("admin", "account_taken")
        registered = next_event(
            facility, facility=facility.code, aggregate_id=facility_id, version=0, actor=actor
        )
        created = next_event(
            admin,
            facility=facility.code,
            aggregate_id=admin_id,
            version=0,
            actor=actor,
            cause=registered,
        )
        await uow.append([registered, created])
        await uow.set_admin_password(admin_id, passwords.hash_password(password), must_change=True)
        await uow.set_admin_second_password(
            admin_id, passwords.hash_generated_secret(second_password)
        )
        await uow.commit()
    return FacilityCreated(
        facility_id,
        admin_id,
        admin.account,
        password,
        created.event_id,
        initial_second_password=second_password,
    )


@dataclass(frozen=True)
class AdminAdded:
    """A further admin of a facility: its account and secrets, shown once to the operator."""

    admin_id: str
    account: str
    display_name: str
    email: str
    initial_password: str
    initial_second_password: str
    last_event_id: str


async def add_admin(
    code: str,
    name: str,
    display_name: str,
    email: str,
    uow: UnitOfWork,
    passwords: Passwords,
    actor: Actor,
) -> AdminAdded:
    """Add admin ``name`` (氏名 ``display_name``, address ``email``) to facility ``code``;
    like the first admin, it must change its password at first sign-in."""
    admin_id = new_id()
    password = passwords.generate_password()
    second_password = passwords.generate_secret()
    async with uow:
        facility = await uow.facility_by_code(code)
        if facility is None:
            raise facility_not_found()
        admin = create_admin(
            facility.facility_id,
            facility.code,
            facility.domain,
            name,
            display_name,
            email,
            field="name",
        )
        if await uow.account_taken(admin.account):
            raise taken("name", "account_taken")
        created = next_event(admin, facility=code, aggregate_id=admin_id, version=0, actor=actor)
        await uow.append([created])
        await uow.set_admin_password(admin_id, passwords.hash_password(password), must_change=True)
        await uow.set_admin_second_password(
            admin_id, passwords.hash_generated_secret(second_password)
        )
        await uow.commit()
    return AdminAdded(
        admin_id,
        admin.account,
        admin.display_name,
        admin.email,
        password,
        second_password,
        created.event_id,
    )


@dataclass(frozen=True)
class AdminSwitched:
    """An admin disabled or enabled again."""

    admin_id: str
    account: str
    disabled: bool
    last_event_id: str


async def set_admin_disabled(
    account: str, disabled: bool, store: CredentialUnitOfWork, actor: Actor
) -> AdminSwitched:
    """Disable an admin (``disabled``) or enable it again; never delete it (manual 3.2).

    Disabled, it cannot sign in (its password step answers as a wrong password does, L4),
    its sign-ins in progress are cancelled here and its sessions end when the gateway
    follows ``AdminDisabled`` (as for a reset). Enabled again, it signs in with its
    credentials as they were; its lock, if any, runs its course.

    The last enabled admin of a facility may be disabled too: an operator is who acts here
    and can enable it again (or add another) at any time, while refusing would keep a
    compromised or departed admin's account open until a replacement exists. A facility
    without an enabled admin is only without its console until then; its users, terminals
    and shares keep working.
    """
    async with store:
        admin = await _admin(store, account)
        # Serialised with the admin's sign-in steps: none finishes after the commit.
        await store.lock(admin.key)
        if admin.disabled == disabled:
            raise conflict("admin_already_disabled" if disabled else "admin_already_enabled")
        data = (
            AdminDisabled(account=admin.account)
            if disabled
            else AdminEnabled(account=admin.account)
        )
        event = await _append_admin_event(store, admin, data, actor)
        await store.commit()
    return AdminSwitched(admin.account_id, admin.account, disabled, event.event_id)


@dataclass(frozen=True)
class AdminReset:
    """An admin's credential reset; the new initial password is shown once (password only)."""

    admin_id: str
    account: str
    last_event_id: str
    initial_password: str | None = None
    initial_second_password: str | None = None
    """A second password reset's new one; after a password reset, only when the admin had
    none (created before second passwords existed)."""


async def reset_admin_password(
    account: str, store: CredentialUnitOfWork, passwords: Passwords, actor: Actor
) -> AdminReset:
    """Give an admin a new initial password, changed at its next sign-in; lift its lock."""
    password = passwords.generate_secret()
    password_hash = passwords.hash_generated_secret(password)
    async with store:
        admin = await _admin(store, account)
        reset = await _append_admin_event(
            store, admin, AdminPasswordReset(account=admin.account), actor
        )
        await store.set_password(admin, password_hash, must_change=True, changed_at=None)
        second = None
        if admin.second_password_hash is None:
            second = passwords.generate_secret()
            await store.set_admin_second_password(
                admin.account_id, passwords.hash_generated_secret(second)
            )
        await store.clear_failures(admin.key)
        await store.cancel_signins(admin.account_id)
        await store.commit()
    return AdminReset(admin.account_id, admin.account, reset.event_id, password, second)


async def reset_admin_second_password(
    account: str, store: CredentialUnitOfWork, passwords: Passwords, actor: Actor
) -> AdminReset:
    """Give an admin a new second password, shown once; the old one fails at once (L3).

    Its sessions end (the gateway follows the event) and its sign-ins in progress are
    cancelled: whoever held the old one must sign in again with the new one. Its lock
    is lifted, as a password reset's is.
    """
    second = passwords.generate_secret()
    second_hash = passwords.hash_generated_secret(second)
    async with store:
        admin = await _admin(store, account)
        reset = await _append_admin_event(
            store, admin, AdminSecondPasswordReset(account=admin.account), actor
        )
        await store.set_admin_second_password(admin.account_id, second_hash)
        await store.clear_failures(admin.key)
        await store.cancel_signins(admin.account_id)
        await store.commit()
    return AdminReset(admin.account_id, admin.account, reset.event_id, None, second)


async def reset_admin_mfa(account: str, store: CredentialUnitOfWork, actor: Actor) -> AdminReset:
    """Unbind an admin's authenticator: it enrols a new one at its next sign-in."""
    async with store:
        admin = await _admin(store, account)
        # Applying AdminMfaReset deletes the sealed secret and ends sign-ins in progress.
        reset = await _append_admin_event(store, admin, AdminMfaReset(account=admin.account), actor)
        await store.commit()
    return AdminReset(admin.account_id, admin.account, reset.event_id)


async def set_password_expiry(
    code: str, max_age_days: int | None, store: CredentialUnitOfWork, actor: Actor
) -> str:
    """Make passwords of facility ``code`` expire after ``max_age_days`` (None: never).

    Returns the consistency token.
    """
    check_password_expiry(max_age_days)
    async with store:
        facility_id = await store.facility_id_of(code)
        if facility_id is None:
            raise facility_not_found()
        versions = await store.versions(facility_id)
        event = next_event(
            FacilityPasswordExpirySet(max_age_days=max_age_days),
            facility=code,
            aggregate_id=facility_id,
            version=versions.current,
            actor=actor,
        )
        await store.append([event])
        await store.commit()
    return event.event_id


async def _admin(store: CredentialUnitOfWork, account: str) -> Account:
    admin = await store.admin_by_account(account.strip().lower())
    if admin is None:
        raise NotFound("admin_not_found", message("admin_not_found"))
    return admin


async def _append_admin_event(
    store: CredentialUnitOfWork,
    admin: Account,
    data: AdminPasswordReset
    | AdminMfaReset
    | AdminSecondPasswordReset
    | AdminDisabled
    | AdminEnabled,
    actor: Actor,
) -> Envelope:
    versions = await store.versions(admin.account_id)
    event = next_event(
        data,
        facility=admin.facility_code,
        aggregate_id=admin.account_id,
        version=versions.current,
        actor=actor,
    )
    await store.append([event])
    return event
