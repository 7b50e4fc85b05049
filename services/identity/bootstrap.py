"""identity's composition root: everything its API and loops use is built here, and
the operator's commands that ``./fumidai facility|admin`` run."""

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import asyncpg
from litestar import Litestar
from litestar.di import Provide

from libs.events.clock import Clock, system_clock
from libs.events.envelope import Actor
from libs.events.store import NOTIFY_CHANNEL
from libs.mail.smtp import Sender, SmtpSender
from libs.postgres.migrations import apply
from libs.runtime.app import provided
from libs.runtime.backbone import service_backbone, service_migrations
from services.identity.adapters import postgres
from services.identity.adapters.facility_settings import read_facility
from services.identity.adapters.file_seal import FileSeal
from services.identity.adapters.job_runner import JobRunner
from services.identity.adapters.passwords import Argon2Passwords
from services.identity.adapters.postgres import PostgresUnitOfWork
from services.identity.adapters.totp import SecretBox
from services.identity.api.facility_scope import FacilityScope
from services.identity.app.background import Background
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
from services.identity.app.recovery import Recoveries
from services.identity.app.recovery_mailer import RecoveryMailer, RecoveryPolicy
from services.identity.app.secret_checks import SecretChecks
from services.identity.app.signin import SignInPolicy, SignIns
from services.identity.app.terminal_sweeper import TerminalSweeper
from services.identity.bus import RIGHTS
from services.identity.consumers import PROJECTIONS
from services.identity.domain.errors import facility_not_found
from services.identity.domain.facility import ChangeFacilitySettings, RegisterFacility
from services.identity.domain.federation import CatalogueState
from services.identity.http import create_app
from services.identity.settings import IdentityOwn, IdentitySettings

SERVICE = "identity"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"

SERVER_SETTINGS = {"plan_cache_mode": "force_custom_plan"}
"""Every statement planned for its own parameters. The user searches are partial terms
matching anything from one user to all of them, and the right plan differs: walk the
facility's users in account order for a common term, read the trigram index for a rare
one. A prepared statement left to PostgreSQL switches to one generic plan after five
executions, which for a rare term walked every user of the facility (3.3 ms at 10,000
users against 0.3 ms, and ten times that at 100,000). Planning identity's other, simple
statements again each time costs tens of microseconds (decision 0007)."""


def bootstrap(
    settings: IdentitySettings, clock: Clock = system_clock, sender: Sender | None = None
) -> Litestar:
    """identity's app with its backbone, use cases and loops.

    ``clock`` is the time identity decides by (locks, expiries, TOTP steps, today's date);
    tests pass their own. ``sender``: where identity's mail goes (default: SMTP as the
    settings say).
    """
    own = settings.own
    backbone = service_backbone(
        SERVICE,
        settings,
        MIGRATIONS,
        projections=PROJECTIONS,
        rights=RIGHTS,
        server_settings=SERVER_SETTINGS,
    )

    def uow() -> PostgresUnitOfWork:
        return PostgresUnitOfWork(backbone.pool, backbone.committed)

    seal = FileSeal(own.totp_key)
    passwords = Argon2Passwords()
    checks = SecretChecks(passwords)
    job_runner = JobRunner(
        pool=lambda: backbone.pool,
        dsn=backbone.core.database_url,
        on_commit=backbone.committed,
        own=own,
        seal=seal,
        passwords=passwords,
        now=clock,
    )
    mailer, recoveries = password_recovery(own, uow, sender or SmtpSender(own.smtp), checks, clock)
    # Users' chores: CSV jobs (U6), unassigning deleted terminals (K4), and mailing the
    # links of 「パスワードを忘れた場合」 (issue 15).
    sweeper = TerminalSweeper(uow)
    background = Background(
        [
            ("jobs", job_runner.run),
            ("terminal-sweeper", sweeper.run),
            ("recovery-mailer", mailer.run),
        ]
    )
    signins = SignIns(uow, SecretBox(own.totp_key), checks, signin_policy(own), clock)
    dependencies = {
        "uow": provided(uow),
        "db": provided(lambda: backbone.pool),
        "facility": Provide(FacilityScope(lambda: backbone.pool).facility),
        "clock": provided(lambda: clock),
        "own": provided(lambda: own),
        "seal": provided(lambda: seal),
        "passwords": provided(lambda: passwords),
        "job_runner": provided(lambda: job_runner),
        "signins": provided(lambda: signins),
        "recoveries": provided(lambda: recoveries),
    }
    return create_app(backbone, own, dependencies, background)


def signin_policy(own: IdentityOwn) -> SignInPolicy:
    """L4's limits as identity is configured."""
    return SignInPolicy(
        lockout_failures=own.lockout_failures,
        lockout_ceiling=own.lockout_ceiling,
        lockout=timedelta(minutes=own.lockout_minutes),
    )


def password_recovery(
    own: IdentityOwn,
    uow: Callable[[], PostgresUnitOfWork],
    sender: Sender,
    checks: SecretChecks,
    clock: Clock,
) -> tuple[RecoveryMailer, Recoveries]:
    """The worker that mails recovery links and the steps that use them (decision 0020)."""
    mailer = RecoveryMailer(
        uow,
        sender,
        RecoveryPolicy(
            link_ttl=timedelta(seconds=own.recovery_link_s),
            public_url=own.public_url,
            mail_from=own.smtp.mail_from,
            mail_retry=tuple(timedelta(seconds=s) for s in own.mail_retry_s),
        ),
        clock,
    )
    recoveries = Recoveries(
        uow,
        SecretBox(own.totp_key),
        checks,
        signin_policy(own),
        mailer.wake,
        clock,
    )
    return mailer, recoveries


# The operator's commands (SPEC T4), run from the shell: ``./fumidai facility create|set|
# show``, ``./fumidai facility targets``, ``./fumidai admin``. They write straight into
# identity's database through the same use cases as the operator API, wired here like the
# app's; the events wait in identity's outbox until its relay publishes them.


@asynccontextmanager
async def _operating(database_url: str) -> AsyncIterator[asyncpg.Pool]:
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
    async with _operating(database_url) as pool:
        return await register_facility(
            cmd,
            _uow(pool),
            Argon2Passwords(),
            _operator(operator),
        )


async def facility_exists(database_url: str, code: str) -> bool:
    """True when identity at ``database_url`` already has facility ``code``."""
    conn = await asyncpg.connect(database_url)
    try:
        return await postgres.facility_exists(conn, code)
    finally:
        await conn.close()


async def reset_admin(
    database_url: str, account: str, operator: str, *, mfa: bool, second_password: bool = False
) -> AdminReset:
    """Reset an admin's password (a new initial password), its authenticator (``mfa``) or
    its second password (``second_password``: a new one, shown once)."""
    async with _operating(database_url) as pool:
        store = _uow(pool)
        actor = _operator(operator)
        if second_password:
            return await reset_admin_second_password(account, store, Argon2Passwords(), actor)
        if mfa:
            return await reset_admin_mfa(account, store, actor)
        return await reset_admin_password(account, store, Argon2Passwords(), actor)


async def add_facility_admin(
    database_url: str, code: str, name: str, display_name: str, email: str, operator: str
) -> AdminAdded:
    """Add admin ``name`` to facility ``code``; its secrets are returned once."""
    async with _operating(database_url) as pool:
        return await add_admin(
            code,
            name,
            display_name,
            email,
            _uow(pool),
            Argon2Passwords(),
            _operator(operator),
        )


async def switch_admin(
    database_url: str, account: str, operator: str, *, disabled: bool
) -> AdminSwitched:
    """Disable an admin (``disabled``) or enable it again; its sessions end with the first."""
    async with _operating(database_url) as pool:
        return await set_admin_disabled(
            account,
            disabled,
            _uow(pool),
            _operator(operator),
        )


async def list_federation_targets(database_url: str, code: str) -> CatalogueState:
    """Facility ``code``'s 認証連携先, retired ones included."""
    async with _operating(database_url) as pool, pool.acquire() as conn:
        facility = await postgres.facility_by_code(conn, code)
        if facility is None:
            raise facility_not_found()
        return await postgres.federation_catalogue(conn, facility.facility_id)


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
    async with _operating(database_url) as pool:
        uow = _uow(pool)
        actor = _operator(operator)
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
    async with _operating(database_url) as pool:
        return await change_facility_settings(cmd, _uow(pool), _operator(operator))


async def facility_settings(database_url: str, code: str) -> dict[str, Any] | None:
    """Every setting of facility ``code`` as identity stores it, or None when missing."""
    conn = await asyncpg.connect(database_url)
    try:
        return await read_facility(conn, code)
    finally:
        await conn.close()


def _uow(pool: asyncpg.Pool) -> PostgresUnitOfWork:
    """An operator command's unit of work; ``_operating`` wakes the relay after it."""
    return PostgresUnitOfWork(pool, lambda: None)


def _operator(name: str) -> Actor:
    return Actor(id=name, role="operator")
