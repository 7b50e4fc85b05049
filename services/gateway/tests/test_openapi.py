"""The checked-in OpenAPI documents (docs/api/) are the ones the code serves."""

import json

import pytest

from services.gateway.openapi import CHECKED_IN, SURFACES, current_documents
from services.gateway.tests.conftest import Client


@pytest.fixture(scope="module")
def documents() -> dict[str, str]:
    return current_documents()


@pytest.mark.parametrize("surface", sorted(SURFACES))
def test_checked_in_document_has_not_drifted(documents: dict[str, str], surface: str) -> None:
    checked_in = (CHECKED_IN / f"{surface}.json").read_text(encoding="utf-8")
    assert checked_in == documents[surface], (
        f"docs/api/{surface}.json is stale: run `python -m services.gateway.openapi`"
    )


def test_each_surface_documents_only_its_own_paths(documents: dict[str, str]) -> None:
    for surface, (prefix, title) in SURFACES.items():
        document = json.loads(documents[surface])
        assert document["info"]["title"] == title
        assert document["paths"], surface
        assert all(path.startswith(prefix) for path in document["paths"])


def test_every_admin_operation_documents_its_problems(documents: dict[str, str]) -> None:
    admin = json.loads(documents["admin"])
    for path, item in admin["paths"].items():
        if path.startswith("/api/v1/facilities/"):
            for method, op in item.items():
                assert {"401", "403", "404"} <= set(op["responses"]), f"{method} {path}"
                problem = op["responses"]["404"]["content"]
                assert "application/problem+json" in problem, f"{method} {path}"


async def test_documents_are_served(gateway: Client) -> None:
    for surface, (prefix, _title) in SURFACES.items():
        served = await gateway.get(f"{prefix}/openapi.json")
        assert served.status_code == 200
        assert served.json() == json.loads(current_documents()[surface])
