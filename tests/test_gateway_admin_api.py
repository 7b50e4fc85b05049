"""The admin API's tenancy and auth matrix (SPEC T3, L5), enumerated from its OpenAPI
document so that no endpoint can escape it: for every admin endpoint, an admin of another
facility gets 404, a signed-out request 401, a user's session 403, and a state change
without the CSRF token 403. Five real service processes behind a real gateway."""

import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from libs.devservers.suite import Suite
from libs.testing.servers import SessionServers
from services.identity.bootstrap import reset_admin
from tests.gateway_support import (
    NEW_PASSWORD,
    Admin,
    eventually,
    register,
    running_suite,
    sign_in_admin,
    sign_in_user,
)

SAFE = {"get", "head", "options"}
PUBLIC = "/api/v1/session"
"""The sign-in steps and the session itself: reachable before signing in."""


def bodies(user_version: int) -> dict[str, Any]:
    """A valid JSON body per state-changing operation: the checks must not stop at 400."""
    today = date.today()
    return {
        "createUser": {
            "name": f"u{secrets.token_hex(4)}",
            "family_name": "山田",
            "email": "u@example.jp",
            "valid_from": today.isoformat(),
            "valid_until": (today + timedelta(days=30)).isoformat(),
        },
        "setUsersEndDate": {"user_ids": [], "valid_until": today.isoformat()},
        "updateUser": {
            "family_name": "山田",
            "email": "u@example.jp",
            "valid_from": today.isoformat(),
            "valid_until": (today + timedelta(days=30)).isoformat(),
            "version": user_version,
        },
        "createTerminal": {"name": f"t{secrets.token_hex(4)}"},
        "editTerminal": {"name": f"t{secrets.token_hex(4)}"},
        "forceCloseSession": {"reason": "点検"},
        "requestLogExport": {"period": "7d"},
    }


@dataclass
class World:
    suite: Suite
    home: Admin
    """Admin of facility 998, which owns the objects."""
    other: Admin
    """Admin of facility 997."""
    user_token: str
    """A bearer session of a user (利用者) of 998."""
    agent_token: str
    """The agent credential of 998's terminal."""
    ids: dict[str, str]
    """Path parameter → a real object of 998 (or a well-formed id where none is made)."""
    user_version: int


@pytest.fixture(scope="module")
async def world(
    servers: SessionServers, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[World]:
    async for suite in running_suite(servers, tmp_path_factory.mktemp("gateway-logs")):
        url = suite.url("gateway")
        admins = {}
        for code in ("998", "997"):
            _, account, password, second = await register(suite, code)
            admins[code] = await sign_in_admin(url, code, account, password, second)
        home = admins["998"]
        terminal = await home.send("POST", "/terminals", json={"name": "踏み台01"})
        assert terminal.status_code == 201, terminal.text
        terminal_id = terminal.json()["terminal"]["terminal_id"]
        created = await home.send(
            "POST",
            "/users",
            json={**bodies(0)["createUser"], "terminals": [terminal_id]},
            headers={"X-Fumidai-Consistency": terminal.json()["consistency_token"]},
        )
        assert created.status_code == 201, created.text
        user = created.json()
        credential = await home.send("POST", f"/terminals/{terminal_id}/credentials")
        assert credential.status_code == 201, credential.text
        job = await home.send("POST", "/jobs/user-export")
        assert job.status_code == 202, job.text
        async with httpx.AsyncClient(base_url=url, timeout=30) as http:
            session = await sign_in_user(http, user)
        unknown = "0190f5c2-0000-7000-8000-000000000000"
        ids = {
            "code": "998",
            "user_id": user["user"]["user_id"],
            "terminal_id": terminal_id,
            "credential_id": credential.json()["credential_id"],
            "job_id": job.json()["job_id"],
            "session_id": unknown,
            "share_id": unknown,
            "file_id": unknown,
            "log": "operations",
        }
        yield World(
            suite,
            home,
            admins["997"],
            session["session_token"],
            credential.json()["token"],
            ids,
            user["user"]["version"],
        )
        for admin in admins.values():
            await admin.http.aclose()


def admin_operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, op)
        for path, item in document["paths"].items()
        if path.startswith("/api/v1/") and not path.startswith(PUBLIC)
        for method, op in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]


def fill(path: str, ids: dict[str, str], code: str) -> str:
    return path.format(**{**ids, "code": code})


async def test_t3_l5_every_admin_endpoint_refuses_whoever_it_must(world: World) -> None:
    async with httpx.AsyncClient(base_url=world.suite.url("gateway"), timeout=30) as anon:
        document = (await anon.get("/api/v1/openapi.json")).json()
        operations = admin_operations(document)
        assert len(operations) >= 30
        examples = bodies(world.user_version)
        checked = 0
        for method, path, op in operations:
            name = op["operationId"]
            kw: dict[str, Any] = {}
            if "requestBody" in op and "application/json" in op["requestBody"]["content"]:
                assert name in examples, f"{name}: add a valid body to bodies()"
                kw["json"] = examples[name]
            home_path = fill(path, world.ids, "998")
            where = f"{method.upper()} {path}"

            signed_out = await anon.request(method, home_path, **kw)
            assert signed_out.status_code == 401, where
            assert signed_out.headers["content-type"].startswith("application/problem+json")

            as_user = await anon.request(
                method,
                home_path,
                headers={"Authorization": f"Bearer {world.user_token}"},
                **kw,
            )
            assert as_user.status_code == 403, where

            if method not in SAFE:
                no_csrf = await world.home.http.request(method, home_path, **kw)
                assert no_csrf.status_code == 403, where
                assert no_csrf.json()["code"] == "csrf_failed", where

            other = world.other
            across = await other.http.request(
                method, home_path, headers={"X-CSRF-Token": other.csrf}, **kw
            )
            assert across.status_code == 404, f"{where}: {across.text}"
            # Its own facility in the path, another facility's object in it: 404 as well.
            if any(f"{{{k}}}" in path for k in ("user_id", "terminal_id", "job_id")):
                own_path = fill(path, world.ids, "997")
                if "/jobs/logs/" in path:
                    continue
                mixed = await other.http.request(
                    method, own_path, headers={"X-CSRF-Token": other.csrf}, **kw
                )
                assert mixed.status_code == 404, f"{where} (997): {mixed.text}"
            checked += 1
        assert checked >= 30


async def test_t3_lists_show_only_the_admins_own_facility(world: World) -> None:
    mine = await world.home.get("/users")
    assert mine.status_code == 200
    assert [u["user_id"] for u in mine.json()["items"]] == [world.ids["user_id"]]
    assert mine.json()["items"][0]["terminals"][0]["name"] == "998-踏み台01"
    theirs = await world.other.get("/users")
    assert theirs.status_code == 200 and theirs.json()["items"] == []
    terminals = await world.other.get("/terminals")
    assert terminals.status_code == 200 and terminals.json() == []
    outputs = await world.home.get("/jobs")
    assert outputs.status_code == 200
    assert world.ids["job_id"] in [j["job_id"] for j in outputs.json()["items"]]
    assert (await world.other.get("/jobs")).json()["items"] == []


async def test_operations_log_names_the_admin_and_address_of_gateway_changes(
    world: World,
) -> None:
    renamed = await world.home.send(
        "PATCH", f"/terminals/{world.ids['terminal_id']}", json={"name": "踏み台01-改"}
    )
    assert renamed.status_code == 200, renamed.text
    log = await world.home.get(
        "/logs/operations",
        headers={"X-Fumidai-Consistency": renamed.json()["consistency_token"]},
    )
    assert log.status_code == 200, log.text
    rows = log.json()["rows"]
    columns = [c["key"] for c in log.json()["columns"]]
    renames = [r for r in rows if r["action"] == "TerminalRenamed"]
    assert renames and renames[0]["actor_id"] == world.home.account
    assert renames[0]["cells"][columns.index("ip")] == "127.0.0.1"  # the admin's address
    assert any(r["actor_id"] == world.home.account and r["action"] == "UserCreated" for r in rows)


async def test_k2_k3_a_terminal_and_its_users_in_one_request_all_or_nothing(
    world: World,
) -> None:
    home = world.home
    made = await home.send("POST", "/users", json=bodies(0)["createUser"])
    assert made.status_code == 201, made.text
    user_id = made.json()["user"]["user_id"]
    created = await home.send(
        "POST",
        "/terminals",
        json={"name": f"選択{secrets.token_hex(2)}", "user_ids": [user_id]},
        headers={"X-Fumidai-Consistency": made.json()["consistency_token"]},
    )
    assert created.status_code == 201, created.text
    body = created.json()
    terminal_id = body["terminal"]["terminal_id"]
    assert body["assignments"] == [{"user_id": user_id, "ok": True, "code": None, "message": None}]

    async def terminals_of_user(token: str) -> list[str]:
        read = await home.get(f"/users/{user_id}", headers={"X-Fumidai-Consistency": token})
        return [t["terminal_id"] for t in read.json()["terminals"]]

    assert await terminals_of_user(body["consistency_token"]) == [terminal_id]
    refused = await home.send(
        "PATCH", f"/terminals/{terminal_id}", json={"user_ids": ["no-such-user"]}
    )
    assert refused.status_code == 200, refused.text
    assert [(a["user_id"], a["ok"], a["code"]) for a in refused.json()["assignments"]] == [
        ("no-such-user", False, "selected_user_not_found")
    ]
    assert await terminals_of_user(body["consistency_token"]) == [terminal_id]  # kept
    emptied = await home.send("PATCH", f"/terminals/{terminal_id}", json={"user_ids": []})
    assert emptied.status_code == 200, emptied.text
    assert [(a["user_id"], a["ok"]) for a in emptied.json()["assignments"]] == [(user_id, True)]
    assert await terminals_of_user(emptied.json()["consistency_token"]) == []
    assert emptied.json()["terminal"]["user_count"] == 0


async def test_u4_u5_t4_resetting_or_deleting_an_account_ends_its_sessions(world: World) -> None:
    """Whoever held the old password or authenticator must not keep a session opened with
    them: a reset or a deletion ends the account's sessions on every gateway replica."""
    url = world.suite.url("gateway")

    async def alive(path: str, headers: dict[str, str]) -> bool:
        async with httpx.AsyncClient(base_url=url, timeout=30) as http:
            answer = await http.get(path, headers=headers)
        assert answer.status_code in (200, 401), answer.text
        return answer.status_code == 200

    async def user_signed_in() -> tuple[str, dict[str, str]]:
        created = await world.home.send("POST", "/users", json=bodies(0)["createUser"])
        assert created.status_code == 201, created.text
        user = created.json()
        async with httpx.AsyncClient(base_url=url, timeout=30) as http:
            session = await sign_in_user(http, user)
        return user["user"]["user_id"], {"Authorization": f"Bearer {session['session_token']}"}

    bystander = {"Authorization": f"Bearer {world.user_token}"}
    for method, rest in (
        ("POST", "/password-reset"),
        ("POST", "/mfa-reset"),
        ("DELETE", ""),
    ):
        user_id, bearer = await user_signed_in()
        assert await alive("/user-api/v1/session", bearer)
        done = await world.home.send(method, f"/users/{user_id}{rest}")
        assert done.status_code in (200, 204), done.text

        async def ended(bearer: dict[str, str] = bearer) -> bool:
            return not await alive("/user-api/v1/session", bearer)

        assert await eventually(ended), f"{method} {rest or 'delete'} left the session open"
        assert await alive("/user-api/v1/session", bystander)  # nobody else's

    _, account, password, second = await register(world.suite, "996")
    admin = await sign_in_admin(url, "996", account, password, second)
    try:
        cookie = {"Cookie": f"fumidai_session={admin.token}"}
        assert await alive("/api/v1/session", cookie)
        await reset_admin(
            world.suite.database_url("identity"), account, "pytest-operator", mfa=True
        )

        async def admin_ended() -> bool:
            return not await alive("/api/v1/session", cookie)

        assert await eventually(admin_ended), "the operator's MFA reset left the session open"
        assert await alive("/api/v1/session", {"Cookie": f"fumidai_session={world.home.token}"})
    finally:
        await admin.http.aclose()


SCHEMATHESIS_SKIP = frozenset({"signOut"})
"""Signing out would end the session every other example is made with."""
EXAMPLES_PER_OPERATION = 8


def _conform(
    schema_url: str,
    base_url: str,
    token: str,
    *,
    facility: str = "",
    skip: frozenset[str] = frozenset(),
    minimum: int = 1,
    query: dict[str, dict[str, Any]] | None = None,
) -> list[str]:
    """schemathesis over every operation of one document, signed in with ``token``; the
    failures it found (none expected). ``query`` fixes query parameters by operation id."""
    import requests
    from hypothesis import HealthCheck, given, settings
    from schemathesis import openapi
    from schemathesis.checks import (
        content_type_conformance,
        not_a_server_error,
        response_schema_conformance,
        status_code_conformance,
    )

    document = requests.get(schema_url, timeout=30).json()
    schema = openapi.from_dict(document)
    checks = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
    ]
    http = requests.Session()
    failures: list[str] = []
    operations = [
        operation
        for operation in (result.ok() for result in schema.get_all_operations())  # type: ignore[union-attr]
        if operation.definition.raw.get("operationId") not in skip
    ]
    assert len(operations) >= minimum
    for operation in operations:

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def run(case: Any) -> None:
            if case.path_parameters and "code" in case.path_parameters:
                case.path_parameters["code"] = facility
            fixed = (query or {}).get(case.operation.definition.raw.get("operationId", ""))
            if fixed:
                case.query = {**(case.query or {}), **fixed}
            case.call_and_validate(
                base_url=base_url,
                session=http,
                headers={"Authorization": f"Bearer {token}"},
                checks=checks,
            )

        try:
            run()
        except (Exception, BaseExceptionGroup) as error:  # report every failing operation
            failures.append(f"{operation.label}: {error}"[:2000])
    return failures


SURFACES: dict[str, dict[str, Any]] = {
    "agent": {
        "schema": "/agent/v1/openapi.json",
        "minimum": 7,
        # A held poll would make each example wait up to the poll's limit.
        "query": {"agentPollOrders": {"wait": 0}},
    },
    "user": {
        "schema": "/user-api/v1/openapi.json",
        "minimum": 9,
        "skip": frozenset({"userSignOut"}),  # would end the session the examples use
    },
}


async def test_l1_a_step_out_of_turn_names_the_step_due_and_its_path(world: World) -> None:
    """Posting a code while a new password is due: 409 ``signin_step_mismatch`` naming
    ``new_password`` and its path; the handle stays good for the step due."""
    _, account, password, _ = await register(world.suite, "995")
    async with httpx.AsyncClient(base_url=world.suite.url("gateway"), timeout=30) as http:
        first = await http.post(
            "/api/v1/session/password", json={"account": account, "password": password}
        )
        assert first.status_code == 200, first.text
        body = first.json()
        assert body["next_step"] == "new_password"
        assert body["next_path"] == "/api/v1/session/new-password"
        wrong = await http.post(
            "/api/v1/session/totp", json={"handle": body["handle"], "code": "123456"}
        )
        assert wrong.status_code == 409, wrong.text
        assert wrong.headers["content-type"].startswith("application/problem+json")
        problem = wrong.json()
        assert problem["code"] == "signin_step_mismatch" and not problem["title"].isascii()
        assert problem["next_step"] == "new_password"
        assert problem["next_path"] == "/api/v1/session/new-password"
        going_on = await http.post(
            problem["next_path"], json={"handle": body["handle"], "new_password": NEW_PASSWORD}
        )
        assert going_on.status_code == 200, going_on.text
        assert going_on.json()["next_step"] == "totp_enrol"


async def test_the_session_answer_names_the_facility_and_the_admin(world: World) -> None:
    """What the console's header shows: the facility's registered name and the admin's
    name (the account's name part: this admin was registered without one; see
    tests/test_admins_as_people.py for an admin with its 氏名)."""
    answer = await world.home.http.get("/api/v1/session")
    assert answer.status_code == 200, answer.text
    session = answer.json()
    assert session["facility"] == "998"
    assert session["facility_name"] == "998-Test Hospital"
    assert session["display_name"] == "admin01"
    assert session["account"] == world.home.account and session["role"] == "admin"
    assert session["csrf_token"] == world.home.csrf


@pytest.mark.parametrize("surface", sorted(SURFACES))
async def test_agent_and_user_apis_conform_to_their_openapi_documents(
    world: World, surface: str
) -> None:
    """schemathesis with a terminal's agent credential, then a user's (利用者) session: no
    5xx; status codes, media types and bodies as documented."""
    import asyncio

    base = world.suite.url("gateway")
    spec = SURFACES[surface]
    token = world.agent_token if surface == "agent" else world.user_token
    failures = await asyncio.to_thread(
        _conform,
        base + spec["schema"],
        base,
        token,
        minimum=spec["minimum"],
        skip=spec.get("skip", frozenset()),
        query=spec.get("query"),
    )
    assert not failures, "\n\n".join(failures)


async def test_admin_api_conforms_to_its_openapi_document(world: World) -> None:
    """schemathesis, signed in as an admin: no 5xx; status codes, media types and bodies
    as documented. Last in this module: it changes the facility's data at random."""
    import asyncio

    base = world.suite.url("gateway")
    failures = await asyncio.to_thread(
        _conform,
        f"{base}/api/v1/openapi.json",
        base,
        world.home.token,
        facility="998",
        skip=SCHEMATHESIS_SKIP,
        minimum=33,
    )
    assert not failures, "\n\n".join(failures)


async def test_a_read_after_a_command_does_not_wait_out_the_bound(world: World) -> None:
    """0002: the service that wrote the event reads its own rows at once, and the gateway,
    which only passes the token on, does not wait on a projection of its own first."""
    home = world.home
    made = await home.send("POST", "/users", json=bodies(1)["createUser"])
    assert made.status_code == 201, made.text
    token = made.json()["consistency_token"]
    listed = await home.get(
        "/users",
        params={"account": made.json()["user"]["name"]},
        headers={"X-Fumidai-Consistency": token},
    )
    assert [u["user_id"] for u in listed.json()["items"]] == [made.json()["user"]["user_id"]]
    waited = [
        service
        for service in ("gateway", "identity")
        if token in (world.suite.log_dir / f"{service}.log").read_text()
    ]
    assert waited == [], f"consistency_wait_timed_out logged by {waited}"
