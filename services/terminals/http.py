"""terminals's internal HTTP API: the admin routes, the agent protocol, its OpenAPI document.

Each area keeps its routes in ``api/``; this module only puts them together.
"""

from litestar import Litestar
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme

from libs.runtime.app import ServiceRuntime, runtime_app
from libs.runtime.schema_pages import document_only
from services.terminals.api.admin import SessionsController, TerminalsController
from services.terminals.api.agent import AgentController

OPENAPI = OpenAPIConfig(
    title="fumidai terminals",
    version="1.0.0",
    description=(
        "Terminals, sessions and force close for the gateway (`/internal/v1`, signed internal "
        "token), and the jump-host agent protocol (`/agent/v1`, per-terminal agent token; "
        "see docs/agent-protocol.md)."
    ),
    components=Components(
        security_schemes={
            "agentToken": SecurityScheme(
                type="http",
                scheme="bearer",
                description="A terminal's agent credential, `fta1.<id>.<secret>`.",
            ),
            "internalToken": SecurityScheme(
                type="http", scheme="bearer", description="The gateway's signed internal token."
            ),
        }
    ),
    security=[{"internalToken": []}],
    path="/schema",
    render_plugins=document_only(),
)


def create_app(runtime: ServiceRuntime, trusted_proxies: tuple[str, ...] = ()) -> Litestar:
    """The Litestar app of terminals, started and stopped with its backbone and runtime
    (``bootstrap.TerminalsRuntime``), whose dependencies its routes are given.
    ``trusted_proxies`` (the gateway) name an agent's address and its request's id."""
    routes = [TerminalsController, SessionsController, AgentController]
    return runtime_app(runtime, routes, OPENAPI, trusted_proxies)
