"""The 認証連携先 catalogue through identity's internal API (SPEC T1, U1, U6, T3; issue 15):
operators add, rename and retire targets; users, their form and their CSV follow."""

from typing import Any

import asyncpg
import pytest

from libs.events.catalogue.identity import (
    FederationTargetAdded,
    FederationTargetRenamed,
    FederationTargetRetired,
)
from libs.events.catalogue.users import UserCreated, UserDeleted, UserUpdated
from libs.events.codec import decode
from libs.events.envelope import Envelope
from libs.events.store import read_stream
from services.identity.domain.csv_format import COLUMNS
from services.identity.domain.federation import CatalogueState, fold
from services.identity.tests.callers import bearer, operator
from services.identity.tests.users_support import (
    Client,
    Place,
    add_targets,
    create,
    csv_file,
    export_csv,
    form_of,
    import_csv,
    new_facility,
    problem_codes,
)


@pytest.fixture
async def place(shared_app: Client) -> Place:
    return await new_facility(shared_app)


def targets_url(place: Place, action: str = "") -> str:
    return f"/internal/v1/operator/facilities/{place.code}/federation-targets{action}"


async def listed(client: Client, place: Place) -> list[dict[str, Any]]:
    response = await client.get(
        f"/internal/v1/facilities/{place.code}/federation-targets", headers=place.headers()
    )
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def operate(client: Client, place: Place, action: str, **body: str) -> Any:
    return await client.post(targets_url(place, action), json=body, headers=operator())


async def test_t1_operators_add_rename_and_retire_targets_as_facility_events(
    shared_app: Client, shared_db: asyncpg.Pool, place: Place
) -> None:
    assert await listed(shared_app, place) == []
    added = await operate(shared_app, place, "", name=" Box ")
    assert added.status_code == 201 and added.json()["name"] == "Box"
    assert added.json()["consistency_token"]
    await add_targets(shared_app, place, "Teams")
    taken = await operate(shared_app, place, "", name="BOX")
    assert taken.status_code == 409 and taken.json()["code"] == "federation_target_taken"
    bad = await operate(shared_app, place, "", name="Teams,Mail")
    assert bad.status_code == 400 and problem_codes(bad) == {"federation_target_name_comma"}
    renamed = await operate(shared_app, place, "/rename", previous_name="Box", name="Box Drive")
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["previous_name"] == "Box"
    retired = await operate(shared_app, place, "/retire", name="Teams")
    assert retired.status_code == 200 and retired.json()["retired"] is True
    again = await operate(shared_app, place, "/retire", name="Teams")
    assert again.status_code == 409 and again.json()["code"] == "federation_target_already_retired"
    frozen = await operate(shared_app, place, "/rename", previous_name="Teams", name="Teams 2")
    assert frozen.status_code == 409 and frozen.json()["code"] == "federation_target_retired_rename"
    missing = await operate(shared_app, place, "/retire", name="Slack")
    assert missing.status_code == 404
    assert await listed(shared_app, place) == [
        {"name": "Box Drive", "retired": False},
        {"name": "Teams", "retired": True},
    ]
    facility_id = await shared_db.fetchval(
        "SELECT facility_id FROM facilities WHERE code = $1", place.code
    )
    async with shared_db.acquire() as conn:
        stream = await read_stream(conn, facility_id)
    assert [type(e.data).__name__ for e in stream] == [
        "FacilityRegistered",
        "FederationTargetAdded",
        "FederationTargetAdded",
        "FederationTargetRenamed",
        "FederationTargetRetired",
    ]
    assert {e.actor.role for e in stream[1:]} == {"operator"}


async def test_t1_t3_only_operators_change_the_catalogue_and_only_its_facility_reads_it(
    shared_app: Client, place: Place
) -> None:
    as_admin = await shared_app.post(
        targets_url(place), json={"name": "Box"}, headers=place.headers()
    )
    assert as_admin.status_code == 403
    other = await new_facility(shared_app)
    foreign = await shared_app.get(
        f"/internal/v1/facilities/{place.code}/federation-targets", headers=other.headers()
    )
    assert foreign.status_code == 404 and foreign.json()["code"] == "facility_not_found"
    nowhere = await shared_app.post(
        "/internal/v1/operator/facilities/000/federation-targets",
        json={"name": "Box"},
        headers=operator(),
    )
    assert nowhere.status_code == 404
    as_user = await shared_app.get(
        f"/internal/v1/facilities/{place.code}/federation-targets",
        headers=bearer(place.account("someone"), "user", place.code),
    )
    assert as_user.status_code == 403


async def test_u1_rename_rewrites_users_and_retire_keeps_them_but_refuses_new_ones(
    shared_app: Client, place: Place
) -> None:
    await add_targets(shared_app, place, "Box", "Teams", "Zoom")
    holder = (await create(shared_app, place, "holder", federation_targets=["Box", "Zoom"]))["user"]
    url = f"{place.users}/{holder['user_id']}"
    await operate(shared_app, place, "/rename", previous_name="Box", name="Azure AD")
    read = (await shared_app.get(url, headers=place.headers())).json()
    assert read["federation_targets"] == ["Azure AD", "Zoom"]
    assert read["version"] == holder["version"]  # the user itself did not change
    await operate(shared_app, place, "/retire", name="Zoom")

    fresh = await shared_app.post(
        place.users,
        json={**form_of(holder), "name": "fresh", "federation_targets": ["Zoom"]},
        headers=place.headers(),
    )
    assert fresh.status_code == 400 and problem_codes(fresh) == {"federation_target_retired"}
    assert "廃止" in fresh.json()["errors"][0]["message"]

    # Saved untouched, the holder keeps it; another change keeps it too.
    kept = await shared_app.put(
        url, json=form_of(read, email="kept@example.jp"), headers=place.headers()
    )
    assert kept.status_code == 200, kept.text
    assert kept.json()["user"]["federation_targets"] == ["Azure AD", "Zoom"]
    # Removed, it cannot come back.
    removed = await shared_app.put(
        url,
        json=form_of(kept.json()["user"], federation_targets=["Azure AD"]),
        headers=place.headers(),
    )
    assert removed.status_code == 200 and removed.json()["user"]["federation_targets"] == [
        "Azure AD"
    ]
    back = await shared_app.put(
        url,
        json=form_of(removed.json()["user"], federation_targets=["Azure AD", "Zoom"]),
        headers=place.headers(),
    )
    assert back.status_code == 400 and problem_codes(back) == {"federation_target_retired"}


async def test_u6_the_csv_follows_renames_and_keeps_retired_targets_on_their_holders(
    shared_app: Client, place: Place
) -> None:
    await add_targets(shared_app, place, "Box", "Zoom")
    holder = (await create(shared_app, place, "c01", federation_targets=["Box", "Zoom"]))["user"]
    await operate(shared_app, place, "/rename", previous_name="Box", name="Box Drive")
    await operate(shared_app, place, "/retire", name="Zoom")
    rows = {row["アカウント"]: row for row in await export_csv(shared_app, place)}
    assert rows[holder["account"]]["認証連携先"] == "Box Drive,Zoom"

    # The export imported again changes nothing; a new user may not get the retired one.
    exported = [[rows[holder["account"]][column] for column in COLUMNS]]
    newcomer = [*exported[0]]
    newcomer[0] = place.account("c02")
    _, result = await import_csv(shared_app, place, csv_file([*exported, newcomer], header=COLUMNS))
    assert result[0]["更新内容"] == "変更なし", result[0]
    assert result[1]["エラー内容"].startswith("認証連携先: 廃止された認証連携先"), result[1]
    newcomer[-1] = "Box Drive"
    _, result = await import_csv(shared_app, place, csv_file([newcomer], header=COLUMNS))
    assert result[0]["更新内容"] == "新規作成", result[0]


def replayed(envelopes: list[Envelope]) -> tuple[CatalogueState, dict[str, tuple[str, ...]]]:
    """The catalogue and every user's targets, folded from the facility's events in the
    relay's order: what any rebuild from the log must give."""
    state = CatalogueState()
    users: dict[str, tuple[str, ...]] = {}
    for envelope in envelopes:
        data = envelope.data
        if isinstance(data, FederationTargetAdded | FederationTargetRetired):
            state = fold([data], state)
        elif isinstance(data, FederationTargetRenamed):
            state = fold([data], state)
            users = {
                user: tuple(sorted({data.name if t == data.previous_name else t for t in held}))
                for user, held in users.items()
            }
        elif isinstance(data, UserCreated | UserUpdated):
            users[envelope.aggregate_id] = data.profile.federation_targets
        elif isinstance(data, UserDeleted):
            users.pop(envelope.aggregate_id, None)
    return state, users


async def test_t1_u1_the_projection_is_the_fold_of_the_facility_s_events(
    shared_app: Client, shared_db: asyncpg.Pool, place: Place
) -> None:
    await add_targets(shared_app, place, "Box", "Teams", "Zoom", "ß")
    one = (await create(shared_app, place, "r1", federation_targets=["Box", "Zoom"]))["user"]
    await create(shared_app, place, "r2", federation_targets=["Zoom", "ß"])
    await operate(shared_app, place, "/rename", previous_name="Zoom", name="Azure")
    await operate(shared_app, place, "/retire", name="Azure")
    saved = await shared_app.put(
        f"{place.users}/{one['user_id']}",
        json=form_of(
            (
                await shared_app.get(f"{place.users}/{one['user_id']}", headers=place.headers())
            ).json(),
            federation_targets=["Teams", "Azure"],
        ),
        headers=place.headers(),
    )
    assert saved.status_code == 200, saved.text
    await operate(shared_app, place, "/rename", previous_name="Teams", name="A Teams")
    await operate(shared_app, place, "/rename", previous_name="ß", name="SS 2")

    rows = await shared_db.fetch(
        "SELECT payload FROM events WHERE facility = $1 ORDER BY tx_id, position", place.code
    )
    state, users = replayed([decode(row["payload"]) for row in rows])
    facility_id = await shared_db.fetchval(
        "SELECT facility_id FROM facilities WHERE code = $1", place.code
    )
    catalogue = await shared_db.fetch(
        "SELECT target, retired FROM facility_federation_targets WHERE facility_id = $1",
        facility_id,
    )
    assert {r["target"]: r["retired"] for r in catalogue} == dict(state.targets)
    assert dict(state.targets) == {"A Teams": False, "Azure": True, "Box": False, "SS 2": False}
    projected = await shared_db.fetch(
        "SELECT user_id, federation_targets FROM users WHERE facility_id = $1", facility_id
    )
    assert {r["user_id"]: tuple(r["federation_targets"]) for r in projected} == users
    assert sorted(users.values()) == [("A Teams", "Azure"), ("Azure", "SS 2")]
