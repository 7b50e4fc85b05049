"""Operator routes of identity's internal API: facilities and their first admin (SPEC T4)."""

import msgspec
from litestar import get, post
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath, JSONBody

from libs.runtime.backbone import Backbone
from libs.runtime.internal_auth import Caller, require_role
from services.identity.adapters.postgres import PostgresUnitOfWork
from services.identity.app.operator import register_facility
from services.identity.domain.errors import facility_not_found
from services.identity.domain.facility import RegisterFacility


class FacilityCreate(msgspec.Struct, frozen=True, kw_only=True):
    code: str
    name: str
    domain: str
    admin: str
    time_zone: str = "Asia/Tokyo"
    download_period_months: int = 3
    internal_networks: list[str] = []


class FacilityCreatedOut(msgspec.Struct, frozen=True, kw_only=True):
    facility_id: str
    admin_account: str
    initial_password: str
    consistency_token: str


class FacilityOut(msgspec.Struct, frozen=True, kw_only=True):
    facility_id: str
    code: str
    name: str
    domain: str
    time_zone: str
    download_period_months: int
    internal_networks: list[str]


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
                time_zone=data.time_zone,
                download_period_months=data.download_period_months,
                internal_networks=tuple(data.internal_networks),
            ),
            PostgresUnitOfWork(backbone.pool, backbone.committed),
            claims.actor,
        )
        return FacilityCreatedOut(
            facility_id=result.facility_id,
            admin_account=result.admin_account,
            initial_password=result.initial_password,
            consistency_token=result.last_event_id,
        )

    @get("/internal/v1/facilities/{code:str}", operation_id="getFacility")
    async def get_facility(code: FromPath[str], claims: Caller) -> FacilityOut:
        if not claims.may_act_in(code):
            raise facility_not_found()  # SPEC T3: another facility's looks missing
        row = await backbone.pool.fetchrow(
            """SELECT facility_id, code, name, domain, time_zone, download_period_months,
                      internal_networks FROM facilities WHERE code = $1""",
            code,
        )
        if row is None:
            raise facility_not_found()
        return FacilityOut(**{**dict(row), "internal_networks": list(row["internal_networks"])})

    return [create_facility, get_facility]
