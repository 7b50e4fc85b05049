"""Operator commands run from the shell (``./fumidai facility create|set|show``,
``./fumidai facility targets``, ``./fumidai admin``).

They write straight into identity's database through the same handlers as the API;
the events wait in identity's outbox until its relay publishes them.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg

from libs.events.envelope import Actor
from libs.events.store import NOTIFY_CHANNEL
from libs.postgres.migrations import apply
from libs.runtime.backbone import service_migrations
from services.identity.adapters.facility_settings import read_facility
from services.identity.adapters.passwords import Argon2Passwords
from services.identity.adapters.postgres import PostgresUnitOfWork, federation_catalogue
from services.identity.app.facility_settings import SettingsChanged, change_facility_settings
from services.identity.app.federation import (
    CatalogueChanged,
    add_federation_target,
    rename_federation_target,
    retire_federation_target,
)
from services.identity.app.operator import (
    AdminAdded,
    AdminReset,
    AdminSwitched,
    FacilityCreated,
    add_admin,
    register_facility,
    reset_admin_mfa,
    reset_admin_password,
    reset_admin_second_password,
    set_admin_disabled,
)
from services.identity.bootstrap import MIGRATIONS, SERVICE
from services.identity.domain.errors import facility_not_found
from services.identity.domain.facility import ChangeFacilitySettings, RegisterFacility
from services.identity.domain.federation import CatalogueState


@asynccontextmanager
async def operating(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    """A small pool on identity's database for one command; once the command has committed,
    a running relay is woken to publish its events now rather than at its next poll."""
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=2)
    try:
        yield pool
        await pool.execute("SELECT pg_notify($1, '')", NOTIFY_CHANNEL)
    finally:
        await pool.close()


async def create_facility(
    database_url: str, cmd: RegisterFacility, operator: str
) -> FacilityCreated:
    """Register a facility and its first admin in identity's database at ``database_url``."""
    conn = await asyncpg.connect(database_url)
    try:
        await apply(conn, service_migrations(SERVICE, MIGRATIONS))
    finally:
        await conn.close()
    async with operating(database_url) as pool:
        return await register_facility(
            cmd,
            PostgresUnitOfWork(pool, lambda: None),
            Argon2Passwords(),
            Actor(id=operator, role="operator"),
        )


async def facility_exists(database_url: str, code: str) -> bool:
    """True when identity at ``database_url`` already has facility ``code``."""
    conn = await asyncpg.connect(database_url)
    try:
        has_table = await conn.fetchval("SELECT to_regclass('public.facilities') IS NOT NULL")
        if not has_table:
            return False
        return bool(
            await conn.fetchval("SELECT EXISTS (SELECT 1 FROM facilities WHERE code = $1)", code)
        )
    finally:
        await conn.close()


async def reset_admin(
    database_url: str, account: str, operator: str, *, mfa: bool, second_password: bool = False
) -> AdminReset:
    """Reset an admin's password (a new initial password), its authenticator (``mfa``) or
    its second password (``second_password``: a new one, shown once)."""
    async with operating(database_url) as pool:
        store = PostgresUnitOfWork(pool, lambda: None)
        actor = Actor(id=operator, role="operator")
        if second_password:
            return await reset_admin_second_password(account, store, Argon2Passwords(), actor)
        if mfa:
            return await reset_admin_mfa(account, store, actor)
        return await reset_admin_password(account, store, Argon2Passwords(), actor)


async def add_facility_admin(
    database_url: str, code: str, name: str, display_name: str, email: str, operator: str
) -> AdminAdded:
    """Add admin ``name`` to facility ``code``; its secrets are returned once."""
    async with operating(database_url) as pool:
        return await add_admin(
            code,
            name,
            display_name,
            email,
            PostgresUnitOfWork(pool, lambda: None),
            Argon2Passwords(),
            Actor(id=operator, role="operator"),
        )


async def switch_admin(
    database_url: str, account: str, operator: str, *, disabled: bool
) -> AdminSwitched:
    """Disable an admin (``disabled``) or enable it again; its sessions end with the first."""
    async with operating(database_url) as pool:
        return await set_admin_disabled(
            account,
            disabled,
            PostgresUnitOfWork(pool, lambda: None),
            Actor(id=operator, role="operator"),
        )


async def list_federation_targets(database_url: str, code: str) -> CatalogueState:
    """Facility ``code``'s 認証連携先, retired ones included."""
    async with operating(database_url) as pool, pool.acquire() as conn:
        facility_id = await conn.fetchval(
            "SELECT facility_id FROM facilities WHERE code = $1", code
        )
        if facility_id is None:
            raise facility_not_found()
        return await federation_catalogue(conn, facility_id)


async def change_federation_targets(
    database_url: str,
    code: str,
    operator: str,
    *,
    add: str | None = None,
    rename: tuple[str, str] | None = None,
    retire: str | None = None,
) -> CatalogueChanged:
    """Add a target (``add``), rename one (``rename``: previous, new) or retire one."""
    async with operating(database_url) as pool:
        uow = PostgresUnitOfWork(pool, lambda: None)
        actor = Actor(id=operator, role="operator")
        if add is not None:
            return await add_federation_target(code, add, uow, actor)
        if rename is not None:
            return await rename_federation_target(code, rename[0], rename[1], uow, actor)
        assert retire is not None
        return await retire_federation_target(code, retire, uow, actor)


async def change_settings(
    database_url: str, cmd: ChangeFacilitySettings, operator: str
) -> SettingsChanged:
    """Change settings of facility ``cmd.code`` (the events are published at once)."""
    async with operating(database_url) as pool:
        return await change_facility_settings(
            cmd, PostgresUnitOfWork(pool, lambda: None), Actor(id=operator, role="operator")
        )


async def facility_settings(database_url: str, code: str) -> dict[str, Any] | None:
    """Every setting of facility ``code`` as identity stores it, or None when missing."""
    conn = await asyncpg.connect(database_url)
    try:
        return await read_facility(conn, code)
    finally:
        await conn.close()
