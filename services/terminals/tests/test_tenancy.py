"""Tenancy of the admin API (SPEC T3) and the agents' credentials."""

import httpx
import pytest

from fumidai_cli.reference_agent.client import AgentClient, CredentialRejected
from services.terminals.tests.callers import bearer
from services.terminals.tests.harness import IdentityFeed, Service, admin_headers

MAC = "00:11:22:33:44:55"
MISSING = "01a21b2e-0000-7000-8000-000000000000"

# Every admin route, with {t} a terminal, {c} a credential and {s} a session.
ADMIN_ROUTES = [
    ("GET", "/terminals"),
    ("POST", "/terminals"),
    ("GET", "/terminals/users"),
    ("GET", "/terminals/{t}"),
    ("PATCH", "/terminals/{t}"),
    ("DELETE", "/terminals/{t}"),
    ("GET", "/terminals/{t}/credentials"),
    ("POST", "/terminals/{t}/credentials"),
    ("DELETE", "/terminals/{t}/credentials/{c}"),
    ("GET", "/sessions"),
    ("GET", "/sessions/{s}"),
    ("POST", "/sessions/{s}/force-close"),
]
BODIES = {"/terminals": {"name": "intruder"}, "/terminals/{t}": {"name": "renamed"}}
BODIES["/sessions/{s}/force-close"] = {"reason": "test"}


async def call(
    service: Service, method: str, route: str, code: str, ids: dict[str, str], as_code: str
) -> httpx.Response:
    path = route.format(**ids)
    body = BODIES.get(route) if method in ("POST", "PATCH") else None
    return await service.admin(method, path, code, json=body, headers=admin_headers(as_code))


async def test_t3_every_admin_route_answers_404_for_another_facility(
    service: Service, identity: IdentityFeed
) -> None:
    terminal = await service.create_terminal("group01")
    issued = await service.admin("POST", f"/terminals/{terminal}/credentials")
    credential, token = issued.json()["credential_id"], issued.json()["token"]
    user = await identity.user("user01", terminals=(terminal,))
    agent = service.agent(token)
    session = (await agent.start((await agent.authorize(user.account, MAC)).decision_id)).session_id
    theirs = {"t": terminal, "c": credential, "s": session}
    missing = {"t": MISSING, "c": MISSING, "s": MISSING}

    documented = (await service.http.get("/schema/openapi.json")).json()["paths"]
    prefix = "/internal/v1/facilities/{code}"
    listed = {
        (method.upper(), path[len(prefix) :].replace("{terminal_id}", "{t}")
         .replace("{credential_id}", "{c}").replace("{session_id}", "{s}"))
        for path, operations in documented.items() if path.startswith(prefix)
        for method in operations
    }  # fmt: skip
    assert listed == set(ADMIN_ROUTES), "a new admin route needs its tenancy check here"

    for method, route in ADMIN_ROUTES:
        # 997's admin, naming facility 998 in the path.
        across = await call(service, method, route, "998", theirs, as_code="997")
        assert across.status_code == 404, (method, route, across.text)
        if "{" not in route:
            continue
        # 997's admin, naming its own facility and 998's objects: exactly like missing ones.
        smuggled = await call(service, method, route, "997", theirs, as_code="997")
        absent = await call(service, method, route, "997", missing, as_code="997")
        assert smuggled.status_code == absent.status_code == 404, (method, route)
        assert smuggled.json() == absent.json()
        assert across.json() == absent.json()

    # Nothing of 998's changed.
    shown = (await service.admin("GET", f"/terminals/{terminal}")).json()
    assert shown["name"] == "998-group01" and shown["version"] == 1
    assert (await service.admin("GET", f"/sessions/{session}")).json()["state"] == "live"
    assert (await agent.terminal()).name == "998-group01"
    await agent.aclose()


async def test_t3_admins_act_in_their_facility_operators_in_any(
    service: Service, identity: IdentityFeed
) -> None:
    as_user = bearer("998-operation-user01@nrasdev.onmicrosoft.com", "user", "998")
    for method, route in ADMIN_ROUTES:
        path = route.format(t=MISSING, c=MISSING, s=MISSING)
        response = await service.admin(method, path, json=BODIES.get(route), headers=as_user)
        assert response.status_code == 403, (method, route)
        anonymous = await service.http.request(method, f"/internal/v1/facilities/998{path}")
        assert anonymous.status_code == 401, (method, route)
    operator = bearer("ops", "operator", "*")
    assert (await service.admin("GET", "/terminals", "997", headers=operator)).status_code == 200


async def test_a_revoked_agent_credential_is_refused(
    service: Service, identity: IdentityFeed
) -> None:
    terminal = await service.create_terminal("group01")
    user = await identity.user("user01", terminals=(terminal,))
    old = (await service.admin("POST", f"/terminals/{terminal}/credentials")).json()
    new_token = await service.credential(terminal)
    retired = service.agent(old["token"])
    current = service.agent(new_token)
    decision = await retired.authorize(user.account, MAC)  # works, and is now cached
    session = await retired.start(decision.decision_id)

    revoked = await service.admin(
        "DELETE", f"/terminals/{terminal}/credentials/{old['credential_id']}"
    )
    assert revoked.status_code == 200 and revoked.json()["consistency_token"]
    again = await service.admin(
        "DELETE", f"/terminals/{terminal}/credentials/{old['credential_id']}"
    )
    assert again.status_code == 200 and again.json()["consistency_token"] is None

    calls = [
        retired.terminal(),
        retired.authorize(user.account, MAC),
        retired.start(decision.decision_id),
        retired.end(session.session_id),
        retired.heartbeat([session.session_id]),
        retired.poll(0, 0),
        retired.ack(1),
    ]
    for pending in calls:
        with pytest.raises(CredentialRejected) as refused:
            await pending
        assert refused.value.code == "agent_unauthenticated"
    # The terminal's other credential goes on working; the session is untouched.
    assert (await current.heartbeat([session.session_id])).live == [session.session_id]
    listed = (await service.admin("GET", f"/terminals/{terminal}/credentials")).json()
    assert [c["revoked_at"] is not None for c in listed] == [True, False]
    assert "token" not in listed[0] and "secret_hash" not in listed[0]

    forged = new_token[:-4] + ("AAAA" if not new_token.endswith("AAAA") else "BBBB")
    for token in (forged, "garbage", f"fta1.{MISSING}.{'x' * 43}"):
        stranger = AgentClient(service.url, token)
        with pytest.raises(CredentialRejected):
            await stranger.terminal()
        await stranger.aclose()
    await retired.aclose()
    await current.aclose()
