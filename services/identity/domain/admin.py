"""The admin aggregate (SPEC T4): created by operators, never deleted."""

from libs.events.catalogue.identity import AdminCreated, FacilityRegistered
from services.identity.domain.accounts import check_account_name, full_account


def create_admin(facility_id: str, facility: FacilityRegistered, name: str) -> AdminCreated:
    """The event creating admin ``name`` in ``facility``; raise if the name is malformed."""
    check_account_name(name, "admin")
    return AdminCreated(
        facility_id=facility_id,
        account=full_account(facility.code, name, facility.domain),
        name=name,
    )
