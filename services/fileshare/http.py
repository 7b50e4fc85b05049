"""fileshare's internal HTTP API: health and metrics until its own endpoints land."""

from litestar import Litestar

from libs.runtime.app import service_app
from libs.runtime.backbone import Backbone


def create_app(backbone: Backbone) -> Litestar:
    """The Litestar app of fileshare, started and stopped with its backbone."""
    return service_app(backbone, [])
