"""identity's internal HTTP API (only the gateway and operators' tools call it).

Each area keeps its routes in ``api/``; this module only puts them together.
"""

from datetime import timedelta

from litestar import Litestar

from libs.events.clock import Clock, system_clock
from libs.mail.smtp import Sender, SmtpSender
from libs.runtime.app import service_app
from libs.runtime.backbone import Backbone
from services.identity.adapters.file_seal import FileSeal
from services.identity.adapters.postgres import PostgresUnitOfWork
from services.identity.adapters.totp import SecretBox
from services.identity.api.federation import federation_routes
from services.identity.api.jobs import job_routes
from services.identity.api.operator import operator_routes
from services.identity.api.recovery import recovery_routes
from services.identity.api.signin import signin_policy, signin_routes
from services.identity.api.terminal_users import terminal_user_routes
from services.identity.api.users import user_routes
from services.identity.app.background import Background
from services.identity.app.jobs import JobRunner
from services.identity.app.recovery import Recoveries
from services.identity.app.recovery_mailer import RecoveryMailer, RecoveryPolicy
from services.identity.app.terminal_sweeper import TerminalSweeper
from services.identity.settings import IdentityOwn


def create_app(
    backbone: Backbone,
    own: IdentityOwn,
    clock: Clock = system_clock,
    sender: Sender | None = None,
) -> Litestar:
    """The Litestar app of identity, started and stopped with its backbone.

    ``clock`` is the time sign-in decides by (locks, expiries, TOTP steps); tests pass their
    own. ``sender``: where identity's mail goes (default: SMTP as ``own`` says).
    """
    seal = FileSeal(own.totp_key)
    jobs = JobRunner(
        pool=lambda: backbone.pool,
        dsn=backbone.core.database_url,
        on_commit=backbone.committed,
        own=own,
        seal=seal,
        now=clock,
    )
    sweeper = TerminalSweeper(lambda: PostgresUnitOfWork(backbone.pool, backbone.committed))
    mailer, recoveries = password_recovery(backbone, own, sender or SmtpSender(own.smtp), clock)
    app = service_app(
        backbone,
        [
            *operator_routes(backbone),
            *federation_routes(backbone),
            *signin_routes(backbone, own, clock),
            *user_routes(backbone, clock),
            *terminal_user_routes(backbone),
            *job_routes(backbone, own, jobs, seal, clock),
            *recovery_routes(lambda: recoveries),
        ],
    )
    # Users' chores: CSV jobs (U6), unassigning deleted terminals (K4), and mailing the
    # links of 「パスワードを忘れた場合」 (issue 15).
    Background(
        [("jobs", jobs.run), ("terminal-sweeper", sweeper.run), ("recovery-mailer", mailer.run)]
    ).attach(app)
    return app


def password_recovery(
    backbone: Backbone, own: IdentityOwn, sender: Sender, clock: Clock
) -> tuple[RecoveryMailer, Recoveries]:
    """The worker that mails recovery links and the steps that use them (decision 0020)."""

    def uow() -> PostgresUnitOfWork:
        return PostgresUnitOfWork(backbone.pool, backbone.committed)

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
        signin_policy(own),
        mailer.wake,
        clock,
    )
    return mailer, recoveries
