"""identity's internal HTTP API (only the gateway and operators' tools call it).

Each area keeps its routes in ``api/``; this module only puts them together.
"""

from litestar import Litestar

from libs.runtime.app import service_app
from libs.runtime.backbone import Backbone
from services.identity.api.operator import operator_routes
from services.identity.settings import IdentityOwn


def create_app(backbone: Backbone, own: IdentityOwn) -> Litestar:
    """The Litestar app of identity, started and stopped with its backbone."""
    del own  # read by the areas that need it (sign-in, CSV) as they land
    return service_app(backbone, [*operator_routes(backbone)])
