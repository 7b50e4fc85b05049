"""The public surfaces' OpenAPI documents as checked in under ``docs/api/``, built from the
composition root. Apart from ``openapi`` (which ``http`` serves from) so that building
the app here does not make the app's own modules import each other in a circle."""

import json
from pathlib import Path

from litestar import Litestar

from libs.events.settings import EventSettings
from libs.runtime.settings import CoreSettings, ServiceSettings
from libs.runtime.token_keys import GATEWAY, SigningKey
from services.gateway.api.openapi import SURFACES, surface_document
from services.gateway.bootstrap import bootstrap
from services.gateway.settings import GatewayOwn, UpstreamSettings
from services.identity.contract import CsvLimits

CHECKED_IN = Path(__file__).resolve().parents[3] / "docs" / "api"
"""Where the documents are checked in: ``docs/api/<surface>.json``."""


def documented_app() -> Litestar:
    """The gateway's app as the code defines it, built but never started: enough to know
    its routes."""
    core = CoreSettings(
        database_url="postgresql://unused/unused",
        nats_url="nats://unused:4222",
        token_signing_key=SigningKey.generate(GATEWAY).text(),
    )
    return bootstrap(
        ServiceSettings(core=core, events=EventSettings()),
        UpstreamSettings(),
        GatewayOwn(),
        CsvLimits(),
    )


def current_documents() -> dict[str, str]:
    """Each surface's document as the code defines it, as checked-in text."""
    app = documented_app()
    return {
        surface: json.dumps(surface_document(app, surface), ensure_ascii=False, indent=2) + "\n"
        for surface in SURFACES
    }


if __name__ == "__main__":
    # ``python -m services.gateway.api.documents``: refresh the checked-in documents.
    CHECKED_IN.mkdir(parents=True, exist_ok=True)
    for name, text in current_documents().items():
        (CHECKED_IN / f"{name}.json").write_text(text, encoding="utf-8")
