"""The terminal catalogue through the admin API (SPEC K1–K5)."""

import msgspec
from nats.aio.client import Client as NATS

from libs.events.catalogue.users import TerminalAssigned
from libs.events.codec import decode
from libs.events.settings import EventSettings
from libs.runtime.app import CONSISTENCY_HEADER
from services.terminals.domain.terminal import check_name_part
from services.terminals.tests.callers import bearer, operator
from services.terminals.tests.harness import IdentityFeed, Service, admin_headers


def names(listing: list[dict[str, object]]) -> list[object]:
    return [row["name"] for row in listing]


async def test_k1_list_with_user_counts_sorted_by_name(
    service: Service, identity: IdentityFeed
) -> None:
    group02 = await service.create_terminal("operation-group02")
    group01 = await service.create_terminal("operation-group01")
    local = await service.create_terminal("踏み台端末02(Local)")
    await identity.user("operation-user01", terminals=(group01,))
    await identity.user("operation-user02", terminals=(group01, group02))
    leaver = await identity.user("operation-user03", terminals=(group02, local))
    moved = await identity.user("operation-user04", terminals=(local,))
    await identity.delete(leaver)  # deleted users are not counted
    await identity.assign(moved, local, assigned=False)  # nor unassigned ones

    listing = (await service.admin("GET", "/terminals")).json()
    assert names(listing) == [
        "998-operation-group01",
        "998-operation-group02",
        "998-踏み台端末02(Local)",
    ]
    assert [row["user_count"] for row in listing] == [2, 1, 0]
    descending = (await service.admin("GET", "/terminals", params={"order": "desc"})).json()
    assert names(descending) == list(reversed(names(listing)))

    # Read-your-writes across services: the gateway passes identity's consistency token.
    moved.version += 1
    assigned = identity.event(
        TerminalAssigned(account=moved.account, terminal_id=local), moved.user_id, moved.version,
        "998",
    )  # fmt: skip
    await identity.publish(assigned, wait=False)
    headers = {**admin_headers(), CONSISTENCY_HEADER: assigned.event_id}
    fresh = (await service.admin("GET", "/terminals", headers=headers)).json()
    assert [row["user_count"] for row in fresh] == [2, 1, 1]


async def test_k1_names_are_unique_in_the_facility_ignoring_case(
    service: Service, identity: IdentityFeed
) -> None:
    await service.create_terminal("Group01")
    again = await service.admin("POST", "/terminals", json={"name": "gROUP01"})
    assert again.status_code == 409
    problem = again.json()
    assert problem["code"] == "terminal_name_taken"
    assert problem["errors"][0]["field"] == "name"
    assert again.headers["content-type"].startswith("application/problem+json")
    # Another facility may use the same name.
    other = await service.admin("POST", "/terminals", "997", json={"name": "group01"})
    assert other.status_code == 201
    assert other.json()["terminal"]["name"] == "997-group01"


async def test_k1_name_part_is_1_to_60_printable_characters(
    service: Service, identity: IdentityFeed
) -> None:
    assert check_name_part("  踏み台端末02(Local) ") == "踏み台端末02(Local)"
    assert check_name_part("端" * 60) == "端" * 60
    assert check_name_part("第１　端末") == "第１　端末"  # full-width space and digit
    for bad in ["", "   ", "x" * 61, "tab\there", "line\nbreak", "zero\u200bwidth"]:
        response = await service.admin("POST", "/terminals", json={"name": bad})
        assert response.status_code == 400, bad
        problem = response.json()
        assert problem["code"] == "terminal_name_invalid"
        assert problem["errors"][0]["field"] == "name"
        assert not problem["title"].isascii()
    missing = await service.admin("POST", "/terminals", json={})
    assert missing.status_code == 400


async def test_k2_k3_user_selection_lists_users_not_admins(
    service: Service, identity: IdentityFeed
) -> None:
    terminal = await service.create_terminal("group01")
    one = await identity.user("operation-user01", terminals=(terminal,))
    await identity.user("operation-user02")
    gone = await identity.user("operation-user03")
    await identity.delete(gone)
    await identity.user("operation-user01", code="997")  # another facility's

    form = await service.admin("GET", "/terminals/users", params={"terminal_id": terminal})
    rows = form.json()
    assert [(r["account"], r["assigned"]) for r in rows] == [
        (one.account, True),
        ("998-operation-user02@nrasdev.onmicrosoft.com", False),
    ]  # no admin (998-operation-admin01 exists), no deleted user, no other facility's
    assert rows[0]["family_name"] == "operation" and rows[0]["email"]
    new_form = await service.admin("GET", "/terminals/users", params={"account": "USER02"})
    assert [(r["account"], r["assigned"]) for r in new_form.json()] == [
        ("998-operation-user02@nrasdev.onmicrosoft.com", False)
    ]


async def test_k3_rename_keeps_names_unique_and_refuses_stale_edits(
    service: Service, identity: IdentityFeed
) -> None:
    first = await service.create_terminal("group01")
    await service.create_terminal("group02")
    renamed = await service.admin(
        "PATCH", f"/terminals/{first}", json={"name": "踏み台端末01", "version": 1}
    )
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["terminal"]["name"] == "998-踏み台端末01"
    assert renamed.json()["terminal"]["version"] == 2
    taken = await service.admin("PATCH", f"/terminals/{first}", json={"name": "GROUP02"})
    assert taken.status_code == 409 and taken.json()["code"] == "terminal_name_taken"
    stale = await service.admin("PATCH", f"/terminals/{first}", json={"name": "x", "version": 1})
    assert stale.status_code == 409 and stale.json()["code"] == "version_conflict"
    same = await service.admin("PATCH", f"/terminals/{first}", json={"name": "踏み台端末01"})
    assert same.status_code == 200 and same.json()["consistency_token"] is None
    assert (await service.admin("GET", f"/terminals/{first}")).json()["name"] == "998-踏み台端末01"


async def test_k4_delete_cannot_be_undone_and_users_stay(
    service: Service, identity: IdentityFeed
) -> None:
    terminal = await service.create_terminal("group01")
    user = await identity.user("operation-user01", terminals=(terminal,))
    deleted = await service.admin("DELETE", f"/terminals/{terminal}")
    assert deleted.status_code == 200, deleted.text
    assert deleted.json()["ended_sessions"] == 0
    assert (await service.admin("GET", f"/terminals/{terminal}")).status_code == 404
    assert (await service.admin("DELETE", f"/terminals/{terminal}")).status_code == 404
    assert (await service.admin("GET", "/terminals")).json() == []
    users = (await service.admin("GET", "/terminals/users")).json()
    assert [u["account"] for u in users] == [user.account]
    # The name is free again.
    assert (await service.admin("POST", "/terminals", json={"name": "GROUP01"})).status_code == 201


async def test_k5_creating_a_terminal_publishes_an_event_for_ops_tooling(
    service: Service, identity: IdentityFeed, nc: NATS, event_settings: EventSettings
) -> None:
    # What ops tooling would do: follow TerminalCreated on the terminals stream.
    sub = await nc.jetstream().subscribe(
        f"{event_settings.subject_root}.terminals.*.terminal.*.TerminalCreated",
        stream=event_settings.stream_name("terminals"),
        ordered_consumer=True,
    )
    terminal = await service.create_terminal("踏み台端末02(Local)")
    try:
        envelope = decode((await sub.next_msg(timeout=10)).data)
    finally:
        await sub.unsubscribe()
    assert envelope.type == "TerminalCreated.v1"
    assert envelope.aggregate_id == terminal and envelope.facility == "998"
    assert msgspec.to_builtins(envelope.data)["name"] == "998-踏み台端末02(Local)"
    assert envelope.actor.id == "998-operation-admin01@nrasdev.onmicrosoft.com"
    assert envelope.actor.role == "admin"


async def test_k1_only_admins_and_operators_manage_terminals(
    service: Service, identity: IdentityFeed
) -> None:
    as_user = bearer("998-operation-user01@nrasdev.onmicrosoft.com", "user", "998")
    assert (await service.admin("GET", "/terminals", headers=as_user)).status_code == 403
    response = await service.http.get("/internal/v1/facilities/998/terminals")
    assert response.status_code == 401
    created = await service.admin("POST", "/terminals", json={"name": "ops"}, headers=operator())
    assert created.status_code == 201
    assert created.json()["terminal"]["name"] == "998-ops"
