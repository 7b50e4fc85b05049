"""The OpenAPI documents of the three public surfaces, served and checked in (docs/api/).

Litestar builds one document of the whole app; each surface's document is that one cut to
its own paths, so a route cannot be served without being documented.
"""

import copy
import json
from pathlib import Path
from typing import Any

from litestar import Litestar, Request, Response, get
from litestar.handlers import HTTPRouteHandler
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme

SURFACES: dict[str, tuple[str, str]] = {
    "admin": ("/api/v1", "fumidai admin API"),
    "agent": ("/agent/v1", "fumidai jump-host agent API"),
    "user": ("/user-api/v1", "fumidai user API"),
}
"""Surface → (path prefix, title)."""

OPENAPI = OpenAPIConfig(
    title="fumidai gateway",
    version="1.0.0",
    description="The public surfaces of fumidai; each is also served cut to its own paths.",
    components=Components(
        security_schemes={
            "session": SecurityScheme(
                type="apiKey",
                name="fumidai_session",
                security_scheme_in="cookie",
                description="The session cookie; state changes also need `X-CSRF-Token`.",
            ),
            "bearerSession": SecurityScheme(
                type="http",
                scheme="bearer",
                description="The session token (sign-in with `token: true`), for scripts.",
            ),
            "agentToken": SecurityScheme(
                type="http",
                scheme="bearer",
                description="A terminal's agent credential, `fta1.<id>.<secret>`.",
            ),
        }
    ),
    path="/schema",
    create_examples=False,
)


def surface_document(app: Litestar, surface: str) -> dict[str, Any]:
    """The OpenAPI document of one surface: its paths, the components, its own title."""
    prefix, title = SURFACES[surface]
    whole = app.openapi_schema.to_schema()
    document = copy.deepcopy(whole)
    document["paths"] = {
        path: item for path, item in whole["paths"].items() if path.startswith(prefix)
    }
    document["info"] = {**document["info"], "title": title}
    document.pop("servers", None)
    return document


def openapi_routes() -> list[HTTPRouteHandler]:
    """``GET <prefix>/openapi.json`` for each surface."""
    handlers: list[HTTPRouteHandler] = []
    for surface, (prefix, _title) in SURFACES.items():

        def make(name: str, prefix: str) -> HTTPRouteHandler:
            @get(
                f"{prefix}/openapi.json",
                operation_id=f"openapi_{name}",
                include_in_schema=False,
                media_type="application/vnd.oai.openapi+json",
            )
            async def document(request: Request[Any, Any, Any]) -> Response[Any]:
                return Response(surface_document(request.app, name))

            return document

        handlers.append(make(surface, prefix))
    return handlers


CHECKED_IN = Path(__file__).resolve().parents[2] / "docs" / "api"
"""Where the documents are checked in: ``docs/api/<surface>.json``."""


def current_documents() -> dict[str, str]:
    """Each surface's document as the code defines it, as checked-in text."""
    from libs.events.settings import EventSettings
    from libs.runtime.settings import CoreSettings, ServiceSettings
    from services.gateway.bootstrap import bootstrap
    from services.gateway.settings import GatewayOwn, UpstreamSettings

    # Never started: building the app is enough to know its routes.
    core = CoreSettings(
        database_url="postgresql://unused/unused",
        nats_url="nats://unused:4222",
        internal_token_secret="x" * 32,
    )
    app = bootstrap(
        ServiceSettings(core=core, events=EventSettings()), UpstreamSettings(), GatewayOwn()
    )
    return {
        surface: json.dumps(surface_document(app, surface), ensure_ascii=False, indent=2) + "\n"
        for surface in SURFACES
    }


if __name__ == "__main__":
    # ``python -m services.gateway.openapi``: refresh the checked-in documents.
    CHECKED_IN.mkdir(parents=True, exist_ok=True)
    for name, text in current_documents().items():
        (CHECKED_IN / f"{name}.json").write_text(text, encoding="utf-8")
