"""identity's composition root: everything its API and loops use is built here."""

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from litestar import Litestar
from litestar.di import Provide

from libs.events.clock import Clock, system_clock
from libs.mail.smtp import Sender, SmtpSender
from libs.runtime.app import provided
from libs.runtime.backbone import service_backbone
from services.identity.adapters.file_seal import FileSeal
from services.identity.adapters.job_runner import JobRunner
from services.identity.adapters.passwords import Argon2Passwords
from services.identity.adapters.postgres import PostgresUnitOfWork
from services.identity.adapters.totp import SecretBox
from services.identity.api.facility_scope import FacilityScope
from services.identity.app.background import Background
from services.identity.app.recovery import Recoveries
from services.identity.app.recovery_mailer import RecoveryMailer, RecoveryPolicy
from services.identity.app.secret_checks import SecretChecks
from services.identity.app.signin import SignInPolicy, SignIns
from services.identity.app.terminal_sweeper import TerminalSweeper
from services.identity.bus import RIGHTS
from services.identity.consumers import PROJECTIONS
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
