"""Operator commands (SPEC T4): register a facility with its first admin."""

from dataclasses import dataclass

from libs.events.envelope import Actor, envelop
from libs.events.ids import new_id
from services.identity.adapters.passwords import generate_password, hash_password
from services.identity.app.unit_of_work import UnitOfWork
from services.identity.domain.admin import create_admin
from services.identity.domain.errors import taken
from services.identity.domain.facility import RegisterFacility, register


@dataclass(frozen=True)
class FacilityCreated:
    """What the operator sees once: the admin's account and initial password."""

    facility_id: str
    admin_id: str
    admin_account: str
    initial_password: str
    last_event_id: str
    """Consistency token: the last event this command wrote."""


async def register_facility(
    cmd: RegisterFacility, uow: UnitOfWork, actor: Actor
) -> FacilityCreated:
    """Register a facility and its first admin, whose password must change at first sign-in."""
    facility = register(cmd)
    facility_id = new_id()
    admin_id = new_id()
    admin = create_admin(facility_id, facility, cmd.admin_name)
    password = generate_password()
    async with uow:
        if await uow.facility_by_code(facility.code) is not None:
            raise taken("code", "facility_code_taken")
        if await uow.account_taken(admin.account):
            raise taken("admin", "account_taken")
        registered = envelop(
            facility, facility=facility.code, aggregate_id=facility_id, version=1, actor=actor
        )
        created = envelop(
            admin,
            facility=facility.code,
            aggregate_id=admin_id,
            version=1,
            actor=actor,
            correlation_id=registered.correlation_id,
            causation_id=registered.event_id,
        )
        await uow.append([registered, created])
        await uow.set_admin_password(admin_id, hash_password(password), must_change=True)
        await uow.commit()
    return FacilityCreated(facility_id, admin_id, admin.account, password, created.event_id)
