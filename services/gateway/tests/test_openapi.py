"""The checked-in OpenAPI documents (docs/api/) are the ones the code serves."""

import json
import re
from typing import Any

import pytest

from services.gateway.api.documents import CHECKED_IN, current_documents
from services.gateway.api.openapi import SURFACES
from services.gateway.api.session_types import STEP_ROUTES
from services.gateway.tests.conftest import Client


@pytest.fixture(scope="module")
def documents() -> dict[str, str]:
    return current_documents()


@pytest.mark.parametrize("surface", sorted(SURFACES))
def test_checked_in_document_has_not_drifted(documents: dict[str, str], surface: str) -> None:
    checked_in = (CHECKED_IN / f"{surface}.json").read_text(encoding="utf-8")
    assert checked_in == documents[surface], (
        f"docs/api/{surface}.json is stale: run `python -m services.gateway.api.documents`"
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


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, op)
        for path, item in document["paths"].items()
        for method, op in item.items()
    ]


SIGN_IN_STEPS = {"password", "new-password", "totp", "second-password"}


PUBLIC_BEFORE_SIGN_IN = ("password-recovery",)
"""「パスワードを忘れた場合」 (decision 0020): its steps come before any session too."""


def _is_sign_in_step(path: str) -> bool:
    rest = path.rpartition("/session/")[2]
    return rest in SIGN_IN_STEPS or rest.split("/")[0] in PUBLIC_BEFORE_SIGN_IN


@pytest.mark.parametrize("surface", ["admin", "user"])
def test_every_operation_declares_its_security_and_the_csrf_header(
    documents: dict[str, str], surface: str
) -> None:
    """Signed-in operations: the session cookie or the bearer session token; sign-in steps:
    none. Every state change the cookie may make declares ``X-CSRF-Token`` (L5)."""
    document = json.loads(documents[surface])
    for method, path, op in _operations(document):
        if _is_sign_in_step(path):
            assert op["security"] == [], f"{method} {path}"
            continue
        assert op["security"] == [{"session": []}, {"bearerSession": []}], f"{method} {path}"
        headers = {p["name"] for p in op.get("parameters", ()) if p["in"] == "header"}
        assert ("X-CSRF-Token" in headers) == (method != "get"), f"{method} {path}"
    assert set(document["components"]["securitySchemes"]) == {"session", "bearerSession"}


def test_agent_operations_declare_the_agent_token(documents: dict[str, str]) -> None:
    for method, path, op in _operations(json.loads(documents["agent"])):
        assert op["security"] == [{"agentToken": []}], f"{method} {path}"


def test_the_sign_in_steps_are_operations_of_their_own(documents: dict[str, str]) -> None:
    """Each step its operation and body, and every ``next_path`` the answer may name is a
    path of the document."""
    for surface, base in (("admin", "/api/v1/session"), ("user", "/user-api/v1/session")):
        paths = json.loads(documents[surface])["paths"]
        bodies = {
            step: paths[f"{base}/{step}"]["post"]["requestBody"]["content"]["application/json"]
            for step in SIGN_IN_STEPS
        }
        assert len({b["schema"]["$ref"] for b in bodies.values()}) == len(SIGN_IN_STEPS)
        for route in STEP_ROUTES.values():
            assert f"{base}/{route}" in paths
    admin = json.loads(documents["admin"])
    ids = {op["operationId"] for _m, _p, op in _operations(admin)}
    assert {"signInPassword", "signInNewPassword", "signInTotp", "signInSecondPassword"} <= ids
    answer = admin["components"]["schemas"]["SignInStepOut"]["properties"]
    assert set(answer["next_step"]["enum"]) == {*STEP_ROUTES, "done"}
    assert "next_path" in answer


def test_streamed_bodies_are_documented(documents: dict[str, str]) -> None:
    """The CSV import and the uploads read their bodies raw; the documents still say what
    to send (U6, F1)."""
    admin = json.loads(documents["admin"])["paths"]
    user = json.loads(documents["user"])["paths"]
    csv = admin["/api/v1/facilities/{code}/jobs/user-import"]["post"]["requestBody"]
    assert list(csv["content"]) == ["text/csv"] and "CP932" in csv["description"]
    for upload, recipient in (
        (admin["/api/v1/facilities/{code}/shares"]["post"], True),
        (user["/user-api/v1/shares"]["post"], False),
    ):
        form = upload["requestBody"]["content"]["multipart/form-data"]
        manifest = form["schema"]["properties"]["manifest"]
        assert manifest["properties"]["purpose"]["maxLength"] == 200
        assert manifest["properties"]["files"]["maxItems"] == 5
        assert ("recipient" in manifest["properties"]) == recipient
        assert form["encoding"]["manifest"]["contentType"] == "application/json"


def _strings(node: Any, where: str = "") -> list[tuple[str, dict[str, Any]]]:
    found: list[tuple[str, dict[str, Any]]] = []
    if isinstance(node, dict):
        if node.get("type") == "string" or "maxLength" in node:
            found.append((where, node))
        for key, value in node.items():
            found += _strings(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _strings(value, f"{where}/{index}")
    return found


@pytest.mark.parametrize("surface", sorted(SURFACES))
def test_no_placeholder_limits(documents: dict[str, str], surface: str) -> None:
    """Text limits are SPEC's (U1, K1, F1), never the payload bound."""
    document = json.loads(documents[surface])
    placeholders = [where for where, s in _strings(document) if s.get("maxLength") == 1000]
    assert not placeholders, placeholders


def test_the_user_form_states_specs_limits(documents: dict[str, str]) -> None:
    schemas = json.loads(documents["admin"])["components"]["schemas"]
    create = schemas["UserCreate"]["properties"]
    assert create["name"]["maxLength"] == 60 and create["name"]["pattern"]
    assert create["family_name"]["maxLength"] == 64
    assert create["email"]["maxLength"] == 64
    assert create["macs"]["maxItems"] == 20
    assert create["terminals"]["items"]["format"] == "uuid"
    assert "terminal_id" in create["terminals"]["description"]
    assert set(create["file_share"]["enum"]) == {"always", "approval", "deny"}
    hours = schemas["Hours"]["properties"]
    assert re.fullmatch(hours["start"]["pattern"], "23:30")
    assert not re.fullmatch(hours["start"]["pattern"], "23:15")
    assert re.fullmatch(hours["end"]["pattern"], "24:00")
    assert not re.fullmatch(hours["end"]["pattern"], "0:00")
    assert schemas["TerminalCreateIn"]["properties"]["name"]["maxLength"] == 60


def test_response_fields_are_described(documents: dict[str, str]) -> None:
    """The fields the console shows carry their meaning (from the code's docstrings)."""
    schemas = json.loads(documents["admin"])["components"]["schemas"]
    session = schemas["SignedInSession"]["properties"]
    assert "operation-admin01" in session["display_name"]["description"]
    assert "Dev Hospital" in session["facility_name"]["description"]
    assert "失効" in schemas["UserOut"]["properties"]["expired"]["description"]
    assert "cursor" in schemas["UserPage"]["properties"]["next_cursor"]["description"]
    assert "待機中" in schemas["OutputJob"]["properties"]["status"]["description"]
    assert schemas["JobOut"]["properties"]["status"]["enum"] == [
        "queued",
        "running",
        "done",
        "failed",
    ]
    mismatch = schemas["StepMismatchProblem"]
    assert {"next_step", "next_path"} <= set(mismatch["required"])


def test_each_surface_holds_only_the_schemas_it_uses(documents: dict[str, str]) -> None:
    admin = json.loads(documents["admin"])["components"]["schemas"]
    agent = json.loads(documents["agent"])["components"]["schemas"]
    assert "HeartbeatRequest" not in admin and "UserCreate" not in agent
