"""The OpenAPI documents of the three public surfaces, served and checked in (docs/api/).

Litestar builds one document of the whole app; each surface's document is that one cut to
its own paths and the components they use, so a route cannot be served without being
documented. Two things Litestar cannot know are added here: the CSRF header, which
auth.py requires of every state change made with the session cookie, and the fields'
descriptions, which the code writes as docstrings under them (attribute_docs.py).
"""

import copy
from typing import Any

from litestar import Litestar, Request, Response, get
from litestar.handlers import HTTPRouteHandler
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme

from libs.runtime.schema_pages import document_only
from services.gateway.api.attribute_docs import describe_fields, structs_of

SURFACES: dict[str, tuple[str, str]] = {
    "admin": ("/api/v1", "fumidai admin API"),
    "agent": ("/agent/v1", "fumidai jump-host agent API"),
    "user": ("/user-api/v1", "fumidai user API"),
}
"""Surface → (path prefix, title)."""
SCHEMA_REF = "#/components/schemas/"

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
                description="The session cookie, set by the sign-in's last step (HttpOnly, "
                "SameSite=Strict). State changes also send `X-CSRF-Token`.",
            ),
            "bearerSession": SecurityScheme(
                type="http",
                scheme="bearer",
                description="The session token (the last sign-in step with `token: true` "
                "answers it as `session.session_token`), for scripts; no CSRF token needed.",
            ),
            "agentToken": SecurityScheme(
                type="http",
                scheme="bearer",
                description="A terminal's agent credential, `fta1.<id>.<secret>`.",
            ),
        }
    ),
    path="/schema",
    render_plugins=document_only(),
    create_examples=False,
)


STATE_CHANGES = frozenset({"post", "put", "patch", "delete"})
CSRF_PARAMETER = {
    "name": "X-CSRF-Token",
    "in": "header",
    "required": False,
    "schema": {"type": "string"},
    "description": "The session's ``csrf_token`` (from the sign-in's last step or "
    "``GET …/session``). Required when signed in with the session cookie: without it the "
    "answer is 403 ``csrf_failed``. Bearer callers leave it out.",
}


def surface_document(app: Litestar, surface: str) -> dict[str, Any]:
    """The OpenAPI document of one surface: its paths, the components they use, its title."""
    prefix, title = SURFACES[surface]
    whole = app.openapi_schema.to_schema()
    document = copy.deepcopy(whole)
    document["paths"] = {
        path: item for path, item in document["paths"].items() if path.startswith(prefix)
    }
    document["info"] = {**document["info"], "title": title}
    document.pop("servers", None)
    _declare_csrf(document["paths"])
    describe_fields(document["components"]["schemas"], structs_of(app))
    _keep_used_components(document)
    return document


def _declare_csrf(paths: dict[str, Any]) -> None:
    """``X-CSRF-Token`` on every state change the session cookie may make (auth.py's rule);
    an operation open to anyone (the sign-in steps) says so with an empty ``security``."""
    for item in paths.values():
        for method, operation in item.items():
            operation.setdefault("security", [])
            cookie = any("session" in option for option in operation.get("security", ()))
            if method in STATE_CHANGES and cookie:
                operation.setdefault("parameters", []).append(dict(CSRF_PARAMETER))


def _keep_used_components(document: dict[str, Any]) -> None:
    """Drop the schemas and security schemes no path of this surface reaches, so a client
    generated from one surface holds only that surface's types."""
    schemas = document["components"]["schemas"]
    used: set[str] = set()
    pending = [document["paths"]]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith(SCHEMA_REF):
                name = ref.removeprefix(SCHEMA_REF)
                if name not in used:
                    used.add(name)
                    pending.append(schemas[name])
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
    document["components"]["schemas"] = {k: v for k, v in schemas.items() if k in used}
    schemes = {
        name
        for item in document["paths"].values()
        for operation in item.values()
        for option in operation.get("security", ())
        for name in option
    }
    document["components"]["securitySchemes"] = {
        k: v for k, v in document["components"]["securitySchemes"].items() if k in schemes
    }


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
