"""Operator routes of identity's internal API (SPEC T4): facilities and their first admin,
further admins, disabling and enabling them (issue 15), admin password, second password
and MFA resets, a facility's password expiry (L1); and a signed-in admin's own profile."""

import msgspec
from litestar import get, patch, post, put
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath, JSONBody

from libs.runtime.backbone import Backbone
from libs.runtime.internal_auth import Caller, require_role
from services.identity.adapters.facility_settings import read_facility
from services.identity.adapters.postgres import PostgresUnitOfWork
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
from services.identity.contract import FacilitySettings
from services.identity.contract.paths import FACILITY_PATH, OWN_ADMIN_PATH
from services.identity.domain.errors import facility_not_found, not_found
from services.identity.domain.facility import (
    ChangeFacilitySettings,
    PasswordExpiry,
    RegisterFacility,
)


class FacilityCreate(msgspec.Struct, frozen=True, kw_only=True):
    code: str
    name: str
    domain: str
    admin: str
    admin_display_name: str | None = None
    """The first admin's 氏名 (the CLI always sends it)."""
    admin_email: str | None = None
    """The first admin's address (the CLI always sends it)."""
    time_zone: str = "Asia/Tokyo"
    download_period_months: int = 3
    internal_networks: list[str] = []
    notification_addresses: list[str] = []
    """Where the facility's notices go besides its admins' own addresses (at most 10)."""


class AdminIn(msgspec.Struct, frozen=True, kw_only=True):
    """A further admin of a facility (issue 15)."""

    name: str
    """The name part of its account, ``<code>-<name>@<domain>`` (T2)."""
    display_name: str
    """氏名: at most 64 characters, no control characters."""
    email: str
    """At most 64 characters, a valid address."""


class AdminAddedOut(msgspec.Struct, frozen=True, kw_only=True):
    admin_id: str
    account: str
    display_name: str
    email: str
    initial_password: str
    """Shown once; changed at the admin's first sign-in."""
    initial_second_password: str
    """Shown once."""
    consistency_token: str


class AdminStateOut(msgspec.Struct, frozen=True, kw_only=True):
    admin_id: str
    account: str
    disabled: bool
    consistency_token: str


class AdminProfileOut(msgspec.Struct, frozen=True, kw_only=True):
    """A signed-in admin's own profile, for the console's header."""

    account: str
    name: str
    """The account's name part."""
    display_name: str | None
    """氏名; null for an admin created before admins had one."""
    email: str | None


class FacilityCreatedOut(msgspec.Struct, frozen=True, kw_only=True):
    facility_id: str
    admin_account: str
    initial_password: str
    initial_second_password: str
    consistency_token: str


class AdminAccountIn(msgspec.Struct, frozen=True, kw_only=True):
    account: str
    """The admin's full account, ``<code>-<name>@<domain>``."""


class AdminResetOut(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    admin_id: str
    account: str
    initial_password: str | None = None
    """Only for a password reset: shown once, changed at the admin's next sign-in."""
    initial_second_password: str | None = None
    """A second password reset's new second password, shown once; after a password reset,
    only when the admin had none yet (created before they existed)."""
    consistency_token: str


class PasswordExpiryIn(msgspec.Struct, frozen=True, kw_only=True):
    max_age_days: int | None
    """Days a password lasts after its change; null turns expiry off (the default)."""


class FacilitySettingsIn(msgspec.Struct, frozen=True, kw_only=True):
    """A change of a facility's settings (T1, issue 15): an absent or null setting stays as
    it is; a list given replaces the old one whole (``[]`` clears it)."""

    name: str | None = None
    time_zone: str | None = None
    """An IANA time zone, e.g. ``Asia/Tokyo``."""
    download_period_months: int | None = None
    """1–12."""
    internal_networks: list[str] | None = None
    """CIDRs counted as inside the facility (院内), at most 100."""
    notification_addresses: list[str] | None = None
    """At most 10 addresses."""
    password_expiry: PasswordExpiryIn | None = None
    """``{"max_age_days": n}`` (1–3650) or ``{"max_age_days": null}`` (never, L1)."""


class FacilitySettingsChangedOut(msgspec.Struct, frozen=True, kw_only=True):
    code: str
    changed: list[str]
    """The settings that changed (``password_max_age_days`` for the expiry)."""
    consistency_token: str


class PasswordExpiryOut(msgspec.Struct, frozen=True, kw_only=True):
    code: str
    max_age_days: int | None
    consistency_token: str


class FacilityOut(FacilitySettings, frozen=True, kw_only=True):
    """Every setting of the facility (the contract's ``FacilitySettings``) and its id."""

    facility_id: str


def operator_routes(backbone: Backbone) -> list[HTTPRouteHandler]:
    """Register a facility (operators) and read one (its admins, operators)."""

    @post("/internal/v1/operator/facilities", operation_id="registerFacility", status_code=201)
    async def create_facility(data: JSONBody[FacilityCreate], claims: Caller) -> FacilityCreatedOut:
        require_role(claims, "operator")
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
            PostgresUnitOfWork(backbone.pool, backbone.committed),
            claims.actor,
        )
        return FacilityCreatedOut(
            facility_id=result.facility_id,
            admin_account=result.admin_account,
            initial_password=result.initial_password,
            initial_second_password=result.initial_second_password,
            consistency_token=result.last_event_id,
        )

    def store() -> PostgresUnitOfWork:
        return PostgresUnitOfWork(backbone.pool, backbone.committed)

    @post(
        "/internal/v1/operator/admins/password-reset",
        operation_id="resetAdminPassword",
        status_code=200,
    )
    async def admin_password_reset(data: JSONBody[AdminAccountIn], claims: Caller) -> AdminResetOut:
        require_role(claims, "operator")
        done = await reset_admin_password(data.account, store(), claims.actor)
        return AdminResetOut(
            admin_id=done.admin_id,
            account=done.account,
            initial_password=done.initial_password,
            initial_second_password=done.initial_second_password,
            consistency_token=done.last_event_id,
        )

    @post(
        "/internal/v1/operator/admins/second-password-reset",
        operation_id="resetAdminSecondPassword",
        status_code=200,
    )
    async def admin_second_password_reset(
        data: JSONBody[AdminAccountIn], claims: Caller
    ) -> AdminResetOut:
        require_role(claims, "operator")
        done = await reset_admin_second_password(data.account, store(), claims.actor)
        return AdminResetOut(
            admin_id=done.admin_id,
            account=done.account,
            initial_second_password=done.initial_second_password,
            consistency_token=done.last_event_id,
        )

    @post("/internal/v1/operator/admins/mfa-reset", operation_id="resetAdminMfa", status_code=200)
    async def admin_mfa_reset(data: JSONBody[AdminAccountIn], claims: Caller) -> AdminResetOut:
        require_role(claims, "operator")
        done = await reset_admin_mfa(data.account, store(), claims.actor)
        return AdminResetOut(
            admin_id=done.admin_id, account=done.account, consistency_token=done.last_event_id
        )

    @post(
        "/internal/v1/operator/facilities/{code:str}/admins",
        operation_id="addAdmin",
        status_code=201,
    )
    async def admin_add(
        code: FromPath[str], data: JSONBody[AdminIn], claims: Caller
    ) -> AdminAddedOut:
        require_role(claims, "operator")
        done = await add_admin(
            code,
            data.name,
            data.display_name,
            data.email,
            PostgresUnitOfWork(backbone.pool, backbone.committed),
            claims.actor,
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

    async def switch(data: AdminAccountIn, claims: Caller, disabled: bool) -> AdminStateOut:
        require_role(claims, "operator")
        done = await set_admin_disabled(data.account, disabled, store(), claims.actor)
        return AdminStateOut(
            admin_id=done.admin_id,
            account=done.account,
            disabled=done.disabled,
            consistency_token=done.last_event_id,
        )

    @post("/internal/v1/operator/admins/disable", operation_id="disableAdmin", status_code=200)
    async def admin_disable(data: JSONBody[AdminAccountIn], claims: Caller) -> AdminStateOut:
        return await switch(data, claims, True)

    @post("/internal/v1/operator/admins/enable", operation_id="enableAdmin", status_code=200)
    async def admin_enable(data: JSONBody[AdminAccountIn], claims: Caller) -> AdminStateOut:
        return await switch(data, claims, False)

    @get(OWN_ADMIN_PATH, operation_id="getOwnAdminProfile")
    async def own_profile(claims: Caller) -> AdminProfileOut:
        """The calling admin's name and address (the gateway's session answer)."""
        require_role(claims, "admin")
        row = await backbone.pool.fetchrow(
            """SELECT ad.account, ad.name, ad.display_name, ad.email FROM admins ad
               JOIN accounts a ON a.owner_id = ad.admin_id
               JOIN facilities f ON f.facility_id = ad.facility_id
               WHERE a.account_key = lower($1) AND f.code = $2""",
            claims.sub,
            claims.facility,
        )
        if row is None:
            raise not_found("admin_not_found")
        return AdminProfileOut(**dict(row))

    @put(
        "/internal/v1/operator/facilities/{code:str}/password-expiry",
        operation_id="setPasswordExpiry",
    )
    async def password_expiry(
        code: FromPath[str], data: JSONBody[PasswordExpiryIn], claims: Caller
    ) -> PasswordExpiryOut:
        require_role(claims, "operator")
        token = await set_password_expiry(code, data.max_age_days, store(), claims.actor)
        return PasswordExpiryOut(code=code, max_age_days=data.max_age_days, consistency_token=token)

    @patch("/internal/v1/operator/facilities/{code:str}", operation_id="changeFacilitySettings")
    async def change_settings(
        code: FromPath[str], data: JSONBody[FacilitySettingsIn], claims: Caller
    ) -> FacilitySettingsChangedOut:
        require_role(claims, "operator")
        done = await change_facility_settings(
            settings_command(code, data),
            PostgresUnitOfWork(backbone.pool, backbone.committed),
            claims.actor,
        )
        return FacilitySettingsChangedOut(
            code=code, changed=list(done.changed), consistency_token=done.last_event_id
        )

    @get(FACILITY_PATH, operation_id="getFacility")
    async def get_facility(code: FromPath[str], claims: Caller) -> FacilityOut:
        if not claims.may_act_in(code):
            raise facility_not_found()  # SPEC T3: another facility's looks missing
        async with backbone.pool.acquire() as conn:
            found = await read_facility(conn, code)
        if found is None:
            raise facility_not_found()
        return msgspec.convert(found, FacilityOut)

    return [
        create_facility,
        change_settings,
        get_facility,
        admin_password_reset,
        admin_second_password_reset,
        admin_mfa_reset,
        admin_add,
        admin_disable,
        admin_enable,
        own_profile,
        password_expiry,
    ]


def settings_command(code: str, data: FacilitySettingsIn) -> ChangeFacilitySettings:
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
