"""identity's internal HTTP API (only the gateway and operators' tools call it).

Each area keeps its routes in ``api/``; this module only puts them together.
"""

from litestar import Litestar

from libs.runtime.app import service_app
from libs.runtime.backbone import Backbone
from services.identity.api.operator import operator_routes
from services.identity.api.signin import signin_routes
from services.identity.app.signin import Clock, system_clock
from services.identity.settings import IdentityOwn


def create_app(backbone: Backbone, own: IdentityOwn, clock: Clock = system_clock) -> Litestar:
    """The Litestar app of identity, started and stopped with its backbone.

    ``clock`` is the time sign-in decides by (locks, expiries, TOTP steps); tests pass their own.
    """
    return service_app(backbone, [*operator_routes(backbone), *signin_routes(backbone, own, clock)])
