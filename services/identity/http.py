"""identity's internal HTTP API (only the gateway and operators' tools call it).

Each area keeps its controllers in ``api/``; this module only puts them together with what
``bootstrap`` built for them.
"""

from collections.abc import Mapping

from litestar import Litestar, Router
from litestar.di import Provide
from litestar.types import ControllerRouterHandler

from libs.runtime.app import service_app
from libs.runtime.backbone import Backbone
from services.identity.api.federation import (
    FederationTargetsController,
    OperatorFederationController,
)
from services.identity.api.jobs import JobsController
from services.identity.api.operator import (
    FacilityController,
    OperatorAdminsController,
    OperatorFacilitiesController,
    OwnAdminController,
)
from services.identity.api.recovery import RecoveryController
from services.identity.api.signin import OwnCredentialsController, SignInController
from services.identity.api.terminal_users import TerminalUsersController
from services.identity.api.users import UsersController
from services.identity.app.background import Background
from services.identity.contract.jobs import UPLOAD_SLACK
from services.identity.settings import IdentityOwn

CONTROLLERS: tuple[ControllerRouterHandler, ...] = (
    OperatorFacilitiesController,
    OperatorAdminsController,
    OperatorFederationController,
    FacilityController,
    OwnAdminController,
    FederationTargetsController,
    SignInController,
    OwnCredentialsController,
    RecoveryController,
    UsersController,
    TerminalUsersController,
)


def create_app(
    backbone: Backbone,
    own: IdentityOwn,
    dependencies: Mapping[str, Provide],
    background: Background,
) -> Litestar:
    """The Litestar app of identity, started and stopped with its backbone.

    ``dependencies``: what the handlers take besides the request (``bootstrap``'s
    ``dependencies``). ``background``: the loops beside the API, started after the
    backbone and stopped before it.
    """
    # The CSV import's body is bounded by the configured limit, plus the slack that lets
    # the route name that limit in its problem (the jobs' other routes take no body).
    csv_jobs = Router(
        "/",
        route_handlers=[JobsController],
        request_max_body_size=own.csv_max_bytes + UPLOAD_SLACK,
    )
    return service_app(
        backbone,
        [*CONTROLLERS, csv_jobs],
        dependencies=dependencies,
        on_startup=[background.start],
        on_shutdown=[background.stop],
    )
