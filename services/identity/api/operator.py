"""Operator routes of identity's internal API (SPEC T4): facilities and their first admin,
further admins, disabling and enabling them (issue 15), admin password, second password
and MFA resets, a facility's password expiry (L1); and a signed-in admin's own profile."""

import msgspec
from litestar import Controller, get, patch, post, put
from litestar.params import FromPath, JSONBody

from libs.runtime.internal_auth import Caller, Claims
from services.identity.adapters.admin_reads import own_admin_profile
from services.identity.adapters.facility_settings import read_facility
from services.identity.api.guards import admins_only, in_facility, operators_only
from services.identity.api.operator_bodies import (
    AdminAccountIn,
    AdminAddedOut,
    AdminIn,
    AdminProfileOut,
    AdminResetOut,
    AdminStateOut,
    FacilityCreate,
    FacilityCreatedOut,
    FacilityOut,
    FacilitySettingsChangedOut,
    FacilitySettingsIn,
    PasswordExpiryIn,
    PasswordExpiryOut,
)
from services.identity.api.provided import (
    CredentialsWork,
    Db,
    FacilityWork,
    Hashing,
    SettingsWork,
)
from services.identity.app.credential_ports import CredentialUnitOfWork
from services.identity.app.facility_settings import change_facility_settings
from services.identity.app.operator import (
    add_admin,
    register_facility,
    reset_admin_mfa,
    reset_admin_password,
    reset_admin_second_password,
    set_admin_disabled,
    set_password_expiry,
)
from services.identity.contract.paths import (
    FACILITY_PATH,
    OPERATOR_ADMINS_PATH,
    OPERATOR_FACILITIES_PATH,
    OWN_ADMIN_PATH,
)
from services.identity.domain.errors import facility_not_found, not_found
from services.identity.domain.facility import (
    ChangeFacilitySettings,
    PasswordExpiry,
    RegisterFacility,
)


class FacilityController(Controller):
    """A facility's settings, read by anyone acting in it (its admins, operators)."""

    path = FACILITY_PATH
    guards = (in_facility,)

    @get(operation_id="getFacility")
    async def get_facility(self, code: FromPath[str], db: Db) -> FacilityOut:
        async with db.acquire() as conn:
            found = await read_facility(conn, code)
        if found is None:
            raise facility_not_found()
        return msgspec.convert(found, FacilityOut)


class OperatorFacilitiesController(Controller):
    """Register a facility, change its settings and password expiry, add admins to it."""

    path = OPERATOR_FACILITIES_PATH
    guards = (operators_only,)

    @post(operation_id="registerFacility", status_code=201)
    async def create_facility(
        self,
        data: JSONBody[FacilityCreate],
        claims: Caller,
        uow: FacilityWork,
        passwords: Hashing,
    ) -> FacilityCreatedOut:
        result = await register_facility(
            RegisterFacility(
                code=data.code,
                name=data.name,
                domain=data.domain,
                admin_name=data.admin,
                admin_display_name=data.admin_display_name,
                admin_email=data.admin_email,
                time_zone=data.time_zone,
                download_period_months=data.download_period_months,
                internal_networks=tuple(data.internal_networks),
                notification_addresses=tuple(data.notification_addresses),
            ),
            uow,
            passwords,
            claims.actor,
        )
        return FacilityCreatedOut(
            facility_id=result.facility_id,
            admin_account=result.admin_account,
            initial_password=result.initial_password,
            initial_second_password=result.initial_second_password,
            consistency_token=result.last_event_id,
        )

    @post("/{code:str}/admins", operation_id="addAdmin", status_code=201)
    async def admin_add(
        self,
        code: FromPath[str],
        data: JSONBody[AdminIn],
        claims: Caller,
        uow: FacilityWork,
        passwords: Hashing,
    ) -> AdminAddedOut:
        done = await add_admin(
            code, data.name, data.display_name, data.email, uow, passwords, claims.actor
        )
        return AdminAddedOut(
            admin_id=done.admin_id,
            account=done.account,
            display_name=done.display_name,
            email=done.email,
            initial_password=done.initial_password,
            initial_second_password=done.initial_second_password,
            consistency_token=done.last_event_id,
        )

    @put("/{code:str}/password-expiry", operation_id="setPasswordExpiry")
    async def password_expiry(
        self,
        code: FromPath[str],
        data: JSONBody[PasswordExpiryIn],
        claims: Caller,
        uow: CredentialsWork,
    ) -> PasswordExpiryOut:
        token = await set_password_expiry(code, data.max_age_days, uow, claims.actor)
        return PasswordExpiryOut(code=code, max_age_days=data.max_age_days, consistency_token=token)

    @patch("/{code:str}", operation_id="changeFacilitySettings")
    async def change_settings(
        self,
        code: FromPath[str],
        data: JSONBody[FacilitySettingsIn],
        claims: Caller,
        uow: SettingsWork,
    ) -> FacilitySettingsChangedOut:
        done = await change_facility_settings(settings_command(code, data), uow, claims.actor)
        return FacilitySettingsChangedOut(
            code=code, changed=list(done.changed), consistency_token=done.last_event_id
        )


class OperatorAdminsController(Controller):
    """Admins' password, second password and MFA resets; disabling and enabling them."""

    path = OPERATOR_ADMINS_PATH
    guards = (operators_only,)

    @post("/password-reset", operation_id="resetAdminPassword", status_code=200)
    async def admin_password_reset(
        self,
        data: JSONBody[AdminAccountIn],
        claims: Caller,
        uow: CredentialsWork,
        passwords: Hashing,
    ) -> AdminResetOut:
        done = await reset_admin_password(data.account, uow, passwords, claims.actor)
        return AdminResetOut(
            admin_id=done.admin_id,
            account=done.account,
            initial_password=done.initial_password,
            initial_second_password=done.initial_second_password,
            consistency_token=done.last_event_id,
        )

    @post("/second-password-reset", operation_id="resetAdminSecondPassword", status_code=200)
    async def admin_second_password_reset(
        self,
        data: JSONBody[AdminAccountIn],
        claims: Caller,
        uow: CredentialsWork,
        passwords: Hashing,
    ) -> AdminResetOut:
        done = await reset_admin_second_password(data.account, uow, passwords, claims.actor)
        return AdminResetOut(
            admin_id=done.admin_id,
            account=done.account,
            initial_second_password=done.initial_second_password,
            consistency_token=done.last_event_id,
        )

    @post("/mfa-reset", operation_id="resetAdminMfa", status_code=200)
    async def admin_mfa_reset(
        self,
        data: JSONBody[AdminAccountIn],
        claims: Caller,
        uow: CredentialsWork,
    ) -> AdminResetOut:
        done = await reset_admin_mfa(data.account, uow, claims.actor)
        return AdminResetOut(
            admin_id=done.admin_id, account=done.account, consistency_token=done.last_event_id
        )

    @post("/disable", operation_id="disableAdmin", status_code=200)
    async def admin_disable(
        self,
        data: JSONBody[AdminAccountIn],
        claims: Caller,
        uow: CredentialsWork,
    ) -> AdminStateOut:
        return await switch(data, True, uow, claims)

    @post("/enable", operation_id="enableAdmin", status_code=200)
    async def admin_enable(
        self,
        data: JSONBody[AdminAccountIn],
        claims: Caller,
        uow: CredentialsWork,
    ) -> AdminStateOut:
        return await switch(data, False, uow, claims)


class OwnAdminController(Controller):
    """A signed-in admin's own profile."""

    path = OWN_ADMIN_PATH
    guards = (admins_only,)

    @get(operation_id="getOwnAdminProfile")
    async def own_profile(self, claims: Caller, db: Db) -> AdminProfileOut:
        """The calling admin's name and address (the gateway's session answer)."""
        async with db.acquire() as conn:
            found = await own_admin_profile(conn, claims.sub, claims.facility)
        if found is None:
            raise not_found("admin_not_found")
        return AdminProfileOut(**found)


async def switch(
    data: AdminAccountIn, disabled: bool, uow: CredentialUnitOfWork, claims: Claims
) -> AdminStateOut:
    """Disable or enable the admin ``data`` names."""
    done = await set_admin_disabled(data.account, disabled, uow, claims.actor)
    return AdminStateOut(
        admin_id=done.admin_id,
        account=done.account,
        disabled=done.disabled,
        consistency_token=done.last_event_id,
    )


def settings_command(code: str, data: FacilitySettingsIn) -> ChangeFacilitySettings:
    """The command a settings change asks for."""

    def listed(values: list[str] | None) -> tuple[str, ...] | None:
        return None if values is None else tuple(values)

    return ChangeFacilitySettings(
        code=code,
        name=data.name,
        time_zone=data.time_zone,
        download_period_months=data.download_period_months,
        internal_networks=listed(data.internal_networks),
        notification_addresses=listed(data.notification_addresses),
        password_expiry=(
            PasswordExpiry(data.password_expiry.max_age_days) if data.password_expiry else None
        ),
    )
