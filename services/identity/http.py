"""identity's internal HTTP API (only the gateway and operators' tools call it).

Each area keeps its routes in ``api/``; this module only puts them together.
"""

from litestar import Litestar

from libs.runtime.app import service_app
from libs.runtime.backbone import Backbone
from services.identity.adapters.file_seal import FileSeal
from services.identity.api.federation import federation_routes
from services.identity.api.jobs import job_routes
from services.identity.api.operator import operator_routes
from services.identity.api.signin import signin_routes
from services.identity.api.terminal_users import terminal_user_routes
from services.identity.api.users import user_routes
from services.identity.app.background import Background
from services.identity.app.jobs import JobRunner
from services.identity.app.signin import Clock, system_clock
from services.identity.app.terminal_sweeper import TerminalSweeper
from services.identity.settings import IdentityOwn


def create_app(backbone: Backbone, own: IdentityOwn, clock: Clock = system_clock) -> Litestar:
    """The Litestar app of identity, started and stopped with its backbone.

    ``clock`` is the time sign-in decides by (locks, expiries, TOTP steps); tests pass their own.
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
    sweeper = TerminalSweeper(lambda: backbone.pool, backbone.committed)
    app = service_app(
        backbone,
        [
            *operator_routes(backbone),
            *federation_routes(backbone),
            *signin_routes(backbone, own, clock),
            *user_routes(backbone, clock),
            *terminal_user_routes(backbone),
            *job_routes(backbone, own, jobs, seal, clock),
        ],
    )
    # Users' chores: CSV jobs (U6) and unassigning deleted terminals (K4).
    Background([("jobs", jobs.run), ("terminal-sweeper", sweeper.run)]).attach(app)
    return app
