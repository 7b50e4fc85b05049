"""What a service serves under ``/schema``: its OpenAPI document as JSON, nothing else.

Litestar's documentation pages (Swagger UI, ReDoc, Stoplight Elements, RapiDoc, Scalar)
load their scripts and styles from a CDN: blank under the gateway's CSP and in a closed
hospital network, and a third party's script on our origin should the CSP ever loosen
(issue 16, item 11; docs/decisions/0025). The documents themselves are in docs/api/.
"""

from litestar.openapi.plugins import JsonRenderPlugin, OpenAPIRenderPlugin


def document_only() -> list[OpenAPIRenderPlugin]:
    """``OpenAPIConfig(render_plugins=...)``: ``/schema`` and ``/schema/openapi.json``
    answer the JSON document; any other ``/schema/*`` path is a 404 without a script."""
    return [JsonRenderPlugin()]
