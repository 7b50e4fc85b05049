"""identity's unit of work on PostgreSQL: events and state tables in one transaction."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Self

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from libs.events.catalogue.identity import AdminCreated, FacilityRegistered
from libs.events.envelope import Envelope
from libs.events.store import append
from libs.postgres.connection import Connection
from services.identity.adapters.credentials import set_admin_second_password
from services.identity.domain.errors import taken


@dataclass(frozen=True)
class Facility:
    facility_id: str
    code: str
    name: str
    domain: str
    time_zone: str


class PostgresUnitOfWork:
    """A transaction on identity's database; ``on_commit`` wakes the relay."""

    def __init__(self, pool: asyncpg.Pool, on_commit: Callable[[], None]) -> None:
        self._pool = pool
        self._on_commit = on_commit
        self._conn: PoolConnectionProxy[asyncpg.Record] | None = None
        self._tx: asyncpg.transaction.Transaction | None = None
        self._committed = False

    @property
    def conn(self) -> PoolConnectionProxy[asyncpg.Record]:
        assert self._conn is not None, "use the unit of work in `async with`"
        return self._conn

    async def __aenter__(self) -> Self:
        self._conn = await self._pool.acquire()
        self._tx = self._conn.transaction()
        await self._tx.start()
        self._committed = False
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._conn is not None and self._tx is not None
        try:
            if not self._committed:
                await self._tx.rollback()
        finally:
            await self._pool.release(self._conn)
            self._conn = None
        if self._committed:
            self._on_commit()

    async def commit(self) -> None:
        assert self._tx is not None
        await self._tx.commit()
        self._committed = True

    async def facility_by_code(self, code: str) -> Facility | None:
        row = await self.conn.fetchrow(
            "SELECT facility_id, code, name, domain, time_zone FROM facilities WHERE code = $1",
            code,
        )
        return Facility(**dict(row)) if row else None

    async def account_taken(self, account: str) -> bool:
        return bool(
            await self.conn.fetchval(
                "SELECT EXISTS (SELECT 1 FROM accounts WHERE account_key = lower($1))", account
            )
        )

    async def append(self, envelopes: Sequence[Envelope]) -> None:
        await append(self.conn, envelopes)
        try:
            for envelope in envelopes:
                await apply_own(self.conn, envelope)
        except asyncpg.UniqueViolationError as error:
            # A concurrent command won the race the handler's read could not see.
            if error.constraint_name == "accounts_pkey":
                raise taken("account", "account_taken") from error
            if error.constraint_name == "facilities_code_key":
                raise taken("code", "facility_code_taken") from error
            raise

    async def set_admin_password(
        self, admin_id: str, password_hash: str, *, must_change: bool
    ) -> None:
        await self.conn.execute(
            """INSERT INTO admin_credentials (admin_id, password_hash, must_change_password)
               VALUES ($1, $2, $3)
               ON CONFLICT (admin_id) DO UPDATE SET password_hash = EXCLUDED.password_hash,
                   must_change_password = EXCLUDED.must_change_password,
                   password_changed_at = now()""",
            admin_id,
            password_hash,
            must_change,
        )

    async def set_admin_second_password(self, admin_id: str, secret_hash: str) -> None:
        await set_admin_second_password(self.conn, admin_id, secret_hash)


async def apply_own(conn: Connection, envelope: Envelope) -> None:
    """Update identity's state tables from one of its own events (same transaction)."""
    data = envelope.data
    if isinstance(data, FacilityRegistered):
        await conn.execute(
            """INSERT INTO facilities (facility_id, code, name, domain, time_zone,
                   download_period_months, internal_networks, version, registered_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)""",
            envelope.aggregate_id,
            data.code,
            data.name,
            data.domain,
            data.time_zone,
            data.download_period_months,
            list(data.internal_networks),
            envelope.version,
            envelope.occurred_at,
        )
    elif isinstance(data, AdminCreated):
        await conn.execute(
            "INSERT INTO accounts (account_key, owner_id, kind) VALUES (lower($1), $2, 'admin')",
            data.account,
            envelope.aggregate_id,
        )
        await conn.execute(
            """INSERT INTO admins (admin_id, facility_id, account, name, version, created_at)
               VALUES ($1, $2, $3, $4, $5, $6)""",
            envelope.aggregate_id,
            data.facility_id,
            data.account,
            data.name,
            envelope.version,
            envelope.occurred_at,
        )
