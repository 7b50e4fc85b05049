"""fileshare's internal HTTP API (only the gateway calls it): admin and user routes.

Each area keeps its routes in ``api/``; this module only puts them together.
"""

from litestar import Litestar

from libs.runtime.app import ServiceRuntime, runtime_app
from services.fileshare.api.admin import SharesController
from services.fileshare.api.user import MySharesController


def create_app(runtime: ServiceRuntime) -> Litestar:
    """The Litestar app of fileshare, started and stopped with its backbone and runtime
    (``bootstrap.FileshareRuntime``), whose dependencies its routes are given."""
    return runtime_app(runtime, [SharesController, MySharesController])
