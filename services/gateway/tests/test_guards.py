"""The guards of the admin and user APIs (docs/decisions/0038): who is refused, with
which problem, and before anything of the request is read. The services behind the
gateway are unreachable here: a request the guards let through answers 503."""

from dataclasses import replace

from services.gateway.adapters.sessions import SessionStore
from services.gateway.api.auth import COOKIE
from services.gateway.api.common import SESSION_SECURITY
from services.gateway.api.documents import documented_app
from services.gateway.api.guards import admin_of_path_facility, signed_in_admin, signed_in_user
from services.gateway.domain.sessions import Grant
from services.gateway.tests.conftest import Client

ADMIN = Grant(
    account_id="a1",
    account="998-operation-admin01@nrasdev.onmicrosoft.com",
    role="admin",
    facility="998",
    facility_id="f1",
    app="メンテナンスツール",
)
USER = replace(ADMIN, account_id="u1", account="998-user01@nrasdev.onmicrosoft.com", role="user")


async def bearer(store: SessionStore, grant: Grant) -> dict[str, str]:
    token, _ = await store.open(grant, ip=None, user_agent=None)
    return {"Authorization": f"Bearer {token}"}


async def test_t3_another_facility_is_404_before_its_parameters_are_read(
    gateway: Client, store: SessionStore
) -> None:
    headers = await bearer(store, ADMIN)
    elsewhere = await gateway.get("/api/v1/facilities/999/users?limit=0", headers=headers)
    assert elsewhere.status_code == 404
    assert elsewhere.json()["code"] == "not_found"
    own = await gateway.get("/api/v1/facilities/998/users?limit=0", headers=headers)
    assert own.status_code == 400  # the parameters are still checked, after the guard
    relayed = await gateway.get("/api/v1/facilities/998/users", headers=headers)
    assert relayed.status_code == 503
    assert relayed.json()["code"] == "upstream_unavailable"


async def test_another_role_is_403_on_either_surface_before_its_body_is_read(
    gateway: Client, store: SessionStore
) -> None:
    as_user = await bearer(store, USER)
    admin_route = await gateway.post(
        "/api/v1/facilities/998/terminals", content=b"not json", headers=as_user
    )
    assert admin_route.status_code == 403
    as_admin = await bearer(store, ADMIN)
    user_route = await gateway.post("/user-api/v1/password", content=b"{}", headers=as_admin)
    assert user_route.status_code == 403
    session = await gateway.get("/user-api/v1/session", headers=as_admin)
    assert session.status_code == 403


async def test_l5_a_cookies_state_change_without_csrf_is_403_before_its_body_is_read(
    gateway: Client, store: SessionStore
) -> None:
    token, session = await store.open(ADMIN, ip=None, user_agent=None)
    gateway.cookies.set(COOKIE, token)
    refused = await gateway.post("/api/v1/facilities/998/terminals", content=b"not json")
    assert refused.status_code == 403
    assert refused.json()["code"] == "csrf_failed"
    checked = await gateway.post(
        "/api/v1/facilities/998/terminals",
        content=b"not json",
        headers={"X-CSRF-Token": session.csrf_token, "content-type": "application/json"},
    )
    assert checked.status_code == 400


def test_every_signed_in_route_has_exactly_one_session_guard() -> None:
    """The session guards are the only check of a signed-in route (none at app level):
    a route documented as needing the session without one would serve anyone, and a
    second guard would only resolve the session again (Litestar copies the route's
    handler for every guard it runs)."""
    app = documented_app()
    session_guards = {signed_in_admin, admin_of_path_facility, signed_in_user}
    wrong = sorted(
        f"{sorted(handler.http_methods)} {route.path}: {len(guards)} guard(s)"
        for route in app.routes
        for handler in getattr(route, "route_handlers", ())
        if "OPTIONS" not in handler.http_methods
        for guards in [handler.resolve_guards()]
        if (getattr(handler, "security", None) == SESSION_SECURITY)
        != (len(guards) == 1 and guards[0] in session_guards)
    )
    assert wrong == []
    assert not app.guards
