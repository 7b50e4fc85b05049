"""Guards are called with the route's handler itself, never a copy of it.

Litestar 2.25.0's ``BaseRouteHandler.authorize_connection`` calls each guard with
``copy(self)``, so that no guard can change the handler the app shares. None of ours
even reads it (``libs.runtime.guards``, the gateway's and identity's read the
connection), and copying a handler of some thirty attributes cost ~8 µs a guard a
request: more than the role check it was for (docs/decisions/0049).

``guards_get_the_handler()`` replaces that one method with one that calls the same guards
in the same order with ``self``. Written against Litestar 2.25.0 (constraints.txt); a test
pins the source it replaces, as ``dependency_order``'s do.
"""

from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

LITESTARS = BaseRouteHandler.authorize_connection
"""Litestar's own method, kept for the test that pins what it replaces."""


async def authorize_connection(
    self: BaseRouteHandler, connection: ASGIConnection[Any, Any, Any, Any]
) -> None:
    """Run every guard in scope, in order, each given this handler."""
    for guard in self.resolve_guards():
        await guard(connection, self)  # type: ignore[misc]


def guards_get_the_handler() -> None:
    """Make every Litestar app in this process call guards with the handler itself."""
    BaseRouteHandler.authorize_connection = authorize_connection  # type: ignore[method-assign]
