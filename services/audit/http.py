"""audit's internal HTTP API: the logs, their CSV and full exports (SPEC A1–A7).

Every route is scoped to the facility in the path, which the caller's token must name
(operators may name any): another facility's log, export or file answers 404 exactly as
a missing one (SPEC T3), and every statement filters by that facility itself. The routes
are in ``api/``; what their handlers take comes from ``bootstrap``.
"""

from collections.abc import Awaitable, Callable, Mapping, Sequence

from litestar import Litestar
from litestar.di import Provide

from libs.runtime.app import service_app
from libs.runtime.backbone import Backbone
from services.audit.api.exports import ExportsController
from services.audit.api.logs import LogsController
from services.audit.api.operator import OperatorController

Hook = Callable[[], Awaitable[None]]


def create_app(
    backbone: Backbone,
    dependencies: Mapping[str, Provide],
    on_startup: Sequence[Hook] = (),
    on_shutdown: Sequence[Hook] = (),
) -> Litestar:
    """The Litestar app of audit, started and stopped with its backbone and ``on_startup``
    / ``on_shutdown`` (its workers)."""
    return service_app(
        backbone,
        [LogsController, ExportsController, OperatorController],
        dependencies=dependencies,
        on_startup=on_startup,
        on_shutdown=on_shutdown,
    )
