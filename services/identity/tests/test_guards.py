"""Who may call identity's routes is checked by the controllers' guards (decision 0042):
before the parameters are checked or the body is read, in the order the handlers' calls
checked it — 401 without a token, 403 for another role, 404 ``facility_not_found`` for
another facility — and a facility that does not exist is 404 after the body is read."""

import inspect

from services.identity.tests.callers import bearer, operator
from services.identity.tests.users_support import Client, new_facility

NOT_A_LIMIT = {"limit": "999"}
"""A list parameter out of its range: 400 for a caller the guard lets through."""


async def test_users_list_refuses_the_caller_before_its_parameters(shared_app: Client) -> None:
    place = await new_facility(shared_app)
    other = await new_facility(shared_app)

    anonymous = await shared_app.get(place.users, params=NOT_A_LIMIT)
    user = await shared_app.get(
        place.users, params=NOT_A_LIMIT, headers=bearer(place.account("u1"), "user", place.code)
    )
    stranger = await shared_app.get(place.users, params=NOT_A_LIMIT, headers=other.headers())
    own_admin = await shared_app.get(place.users, params=NOT_A_LIMIT, headers=place.headers())

    assert anonymous.status_code == 401
    assert user.status_code == 403
    assert stranger.status_code == 404
    assert stranger.json()["code"] == "facility_not_found"
    assert own_admin.status_code == 400


async def test_a_missing_facility_looks_like_another_ones(shared_app: Client) -> None:
    missing = await shared_app.get("/internal/v1/facilities/999999/users", headers=operator())
    nul = await shared_app.get("/internal/v1/facilities/99%0099/users", headers=operator())

    assert (missing.status_code, missing.json()["code"]) == (404, "facility_not_found")
    assert (nul.status_code, nul.json()["code"]) == (404, "facility_not_found")


async def test_operator_and_gateway_routes_refuse_other_roles_before_the_body(
    shared_app: Client,
) -> None:
    place = await new_facility(shared_app)
    admin = place.headers()

    register = await shared_app.post(
        "/internal/v1/operator/facilities", content=b"{", headers=admin
    )
    sign_in = await shared_app.post("/internal/v1/signin/password", content=b"{", headers=admin)
    recovery = await shared_app.post("/internal/v1/recovery/requests", content=b"{", headers=admin)
    as_operator = await shared_app.post(
        "/internal/v1/operator/facilities", content=b"{", headers=operator()
    )

    assert [r.status_code for r in (register, sign_in, recovery)] == [403, 403, 403]
    assert as_operator.status_code == 400


async def test_every_guard_runs_on_the_event_loop(shared_app: Client) -> None:
    """Litestar runs a plain-function guard in a worker thread: the identity's user list
    spent more on the thread hop and the token check there than on its query (bench.gateway,
    half the list's rate). Every guard of every route is a coroutine function."""
    app = shared_app.app
    sync = sorted(
        f"{handler}: {guard}"
        for route in app.routes
        for handler in getattr(route, "route_handlers", ())
        for guard in handler.resolve_guards()
        if not inspect.iscoroutinefunction(guard)
    )
    assert sync == []
