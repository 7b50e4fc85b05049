"""Users through identity's internal API (SPEC U1–U5, U7, T3, T4, K3, K4).

One identity for the module; each test registers a facility of its own, so tests never
see each other's users.
"""

import asyncio
import json
from datetime import timedelta
from typing import Any

import asyncpg
import msgspec
import pytest

from libs.events.catalogue.users import TerminalUnassigned, UserDeleted
from services.identity.adapters.passwords import verify_secret
from services.identity.contract import UserOut
from services.identity.messages import FILE_SHARE_LABELS
from services.identity.settings import IdentitySettings
from services.identity.tests.callers import bearer, operator
from services.identity.tests.users_support import (
    Client,
    Place,
    TerminalsService,
    add_targets,
    create,
    form_of,
    last_day,
    new_facility,
    problem_codes,
    shifted,
    terminals_known,
    today,
    user_body,
    user_events,
    wait_for,
)


@pytest.fixture
async def place(shared_app: Client) -> Place:
    return await new_facility(shared_app)


@pytest.fixture(scope="module")
def terminals(shared_identity: tuple[Client, IdentitySettings]) -> TerminalsService:
    return TerminalsService(shared_identity[1])


# -- U2: 「新規」→「ユーザー登録完了」 ---------------------------------------------------------


async def test_u2_create_shows_account_and_both_secrets_once_and_forces_a_change(
    shared_app: Client, shared_db: asyncpg.Pool, place: Place
) -> None:
    created = await create(shared_app, place, "operation-user01")
    user = created["user"]
    assert created["account"] == user["account"] == place.account("operation-user01")
    assert created["initial_password"] != created["second_password"]
    assert len(created["initial_password"]) >= 20 and len(created["second_password"]) >= 20
    assert created["consistency_token"]
    # Never readable again: not in the user, not in the list.
    read = await shared_app.get(f"{place.users}/{user['user_id']}", headers=place.headers())
    listed = await shared_app.get(place.users, headers=place.headers())
    for text in (read.text, listed.text):
        assert created["initial_password"] not in text and created["second_password"] not in text
    row = await shared_db.fetchrow(
        "SELECT * FROM user_credentials WHERE user_id = $1", user["user_id"]
    )
    assert row is not None and row["must_change_password"] is True
    assert verify_secret(row["password_hash"], created["initial_password"])
    assert verify_secret(row["second_password_hash"], created["second_password"])
    assert not verify_secret(row["password_hash"], created["second_password"])


async def test_u1_account_unique_ignoring_case_and_never_an_admin(
    shared_app: Client, place: Place
) -> None:
    await create(shared_app, place, "Taro.Yamada")
    again = await shared_app.post(
        place.users, json=user_body("taro.yamada"), headers=place.headers()
    )
    assert again.status_code == 409 and again.json()["code"] == "account_taken"
    admin = await shared_app.post(place.users, json=user_body("ADMIN01"), headers=place.headers())
    assert admin.status_code == 409 and admin.json()["code"] == "account_is_admin"
    bad = await shared_app.post(place.users, json=user_body("-bad-"), headers=place.headers())
    assert bad.status_code == 400 and problem_codes(bad) == {"account_name_invalid"}


async def test_u1_every_field_problem_comes_back_at_once_with_japanese_messages(
    shared_app: Client, place: Place
) -> None:
    response = await shared_app.post(
        place.users,
        json=user_body(
            "ok-name",
            family_name="",
            given_name="a\x07",
            email="x" * 60 + "@example.jp",
            valid_until=shifted(last_day(), 1),
            macs=["00-11-22-33-44-55", "00:11:22:33:44:55"],
            hours={"start": "08:15", "end": "17:30"},
            file_share="sometimes",
            federation_targets=["Box"],
            terminals=["no-such-terminal"],
        ),
        headers=place.headers(),
    )
    assert response.status_code == 400
    problem = response.json()
    assert problem["code"] == "invalid_input" and not problem["title"].isascii()
    assert {(e["field"], e["code"]) for e in problem["errors"]} == {
        ("family_name", "family_name_required"),
        ("given_name", "user_name_invalid"),
        ("email", "email_too_long"),
        ("valid_until", "valid_until_too_late"),
        ("macs", "mac_duplicate"),
        ("hours_start", "hours_start_invalid"),
        ("file_share", "file_share_invalid"),
        ("federation_targets", "federation_target_unknown"),
        ("terminals", "terminal_unknown"),
    }
    assert all(not e["message"].isascii() for e in problem["errors"])
    # Nothing half-made: the list is still empty.
    listed = await shared_app.get(place.users, headers=place.headers())
    assert listed.json()["items"] == []


async def test_u1_limits_hold_at_their_edges(shared_app: Client, place: Place) -> None:
    edge = await create(
        shared_app,
        place,
        "e" * 60,
        family_name="山" * 40,
        given_name="太" * 24,
        email="a" * 53 + "@example.jp",
        valid_from=today().isoformat(),
        valid_until=last_day().isoformat(),
        macs=[f"aa-bb-cc-dd-ee-{i:02x}" for i in range(20)],
        hours={"start": "22:00", "end": "6:00"},
        file_share="approval",
    )
    user = edge["user"]
    assert user["macs"][0] == "AA:BB:CC:DD:EE:00" and len(user["macs"]) == 20
    assert user["hours"] == {"start": "22:00", "end": "06:00"}  # overnight, night shift
    assert user["display_name"] == "山" * 40 + " " + "太" * 24
    assert (user["file_share"], user["file_share_label"]) == ("approval", "承認後に許可")
    for name, changes, code in (
        ("e" * 61, {}, "account_name_invalid"),
        ("n1", {"family_name": "山" * 40, "given_name": "太" * 25}, "user_name_too_long"),
        ("n2", {"macs": [f"aa-bb-cc-dd-ee-{i:02x}" for i in range(21)]}, "mac_too_many"),
        ("n3", {"hours": {"start": "08:00", "end": "8:00"}}, "hours_same"),
        (
            "n4",
            {"valid_from": shifted(today(), 10), "valid_until": shifted(today(), 9)},
            "valid_until_before_start",
        ),
    ):
        response = await shared_app.post(
            place.users, json=user_body(name, **changes), headers=place.headers()
        )
        assert response.status_code == 400, (name, response.text)
        assert code in problem_codes(response)
    too_big = await shared_app.post(
        place.users, json=user_body("n5", macs=["x"] * 1001), headers=place.headers()
    )
    assert too_big.status_code == 400 and too_big.json()["code"] == "invalid_request"


async def test_u1_federation_targets_come_from_the_facility_catalogue(
    shared_app: Client, place: Place
) -> None:
    refused = await shared_app.post(
        place.users, json=user_body("f1", federation_targets=["Box"]), headers=place.headers()
    )
    assert refused.status_code == 400 and problem_codes(refused) == {"federation_target_unknown"}
    await add_targets(shared_app, place, "Box")
    created = await create(shared_app, place, "f1", federation_targets=["Box"])
    assert created["user"]["federation_targets"] == ["Box"]


# -- U3: 「ユーザー一覧」 -----------------------------------------------------------------------


async def test_u3_search_partial_any_case_sort_and_keyset_pages(
    shared_app: Client, place: Place
) -> None:
    people = [
        ("user03", "Yamada", "Taro", "taro@Hospital.example.jp"),
        ("user01", "suzuki", "Ichiro", "ichiro@clinic.example.jp"),
        ("user02", "Sato", "Hanako", "hanako@hospital.example.jp"),
        ("User04", "山田", "花子", "hanako.yamada@example.jp"),
        ("user_05", "tanaka", "", "tanaka@example.jp"),
        ("user06", "Ito", "Jiro", "100%_sure@example.jp"),
    ]
    for name, family, given, email in people:
        await create(shared_app, place, name, family_name=family, given_name=given, email=email)
    expired = await create(
        shared_app,
        place,
        "zz-expired",
        family_name="Old",
        valid_from="2020-01-01",
        valid_until=shifted(today(), -1),
    )

    async def accounts(**params: Any) -> list[str]:
        response = await shared_app.get(place.users, params=params, headers=place.headers())
        assert response.status_code == 200, response.text
        return [item["name"] for item in response.json()["items"]]

    assert await accounts() == [
        "user01",
        "user02",
        "user03",
        "User04",
        "user06",
        "user_05",
        "zz-expired",
    ]
    assert await accounts(order="desc") == [
        "zz-expired",
        "user_05",
        "user06",
        "User04",
        "user03",
        "user02",
        "user01",
    ]
    assert await accounts(sort="name") == [
        "user06",
        "zz-expired",
        "user02",
        "user01",
        "user_05",
        "user03",
        "User04",
    ]
    assert await accounts(account="USER0") == ["user01", "user02", "user03", "User04", "user06"]
    assert await accounts(account="_") == ["user_05"]  # LIKE wildcards are literal
    assert await accounts(name="yamada") == ["user03"]
    assert await accounts(name="山田 花") == ["User04"]
    assert await accounts(email="HOSPITAL") == ["user02", "user03"]
    assert await accounts(email="100%") == ["user06"]
    assert await accounts(account="user", email="hospital", name="sato") == ["user02"]
    assert await accounts(account="nobody") == []

    for sort in ("account", "name"):
        for order in ("asc", "desc"):
            everyone = await accounts(sort=sort, order=order)
            paged: list[str] = []
            cursor = None
            while True:
                params: dict[str, Any] = {"sort": sort, "order": order, "limit": 3}
                if cursor:
                    params["cursor"] = cursor
                page = (
                    await shared_app.get(place.users, params=params, headers=place.headers())
                ).json()
                paged += [item["name"] for item in page["items"]]
                cursor = page["next_cursor"]
                if cursor is None:
                    break
            assert paged == everyone

    listed = {
        item["name"]: item
        for item in (await shared_app.get(place.users, headers=place.headers())).json()["items"]
    }
    assert listed["zz-expired"]["expired"] is True and listed["user01"]["expired"] is False
    assert expired["user"]["expired"] is True
    bad_cursor = await shared_app.get(
        place.users, params={"cursor": "nope"}, headers=place.headers()
    )
    assert bad_cursor.status_code == 400 and bad_cursor.json()["code"] == "cursor_invalid"
    other_order = await shared_app.get(place.users, params={"limit": 1}, headers=place.headers())
    mismatch = await shared_app.get(
        place.users,
        params={"sort": "name", "cursor": other_order.json()["next_cursor"]},
        headers=place.headers(),
    )
    assert mismatch.status_code == 400 and mismatch.json()["code"] == "cursor_invalid"
    for params in ({"limit": 0}, {"limit": 201}, {"sort": "email"}, {"account": "x" * 121}):
        refused = await shared_app.get(place.users, params=params, headers=place.headers())
        assert refused.status_code == 400, params


async def test_u3_list_rows_are_the_users_as_the_form_reads_them(
    shared_app: Client,
    shared_db: asyncpg.Pool,
    place: Place,
    terminals: TerminalsService,
) -> None:
    """The list's query and the form's read of one user give every field of every shape
    of user alike."""
    group1 = await terminals.create(place.code, f"{place.code}-踏み台端末01(Local)")
    group2 = await terminals.create(place.code, f"{place.code}-group02")
    await terminals_known(shared_db, [group1, group2])
    await add_targets(shared_app, place, "Box")
    variants: list[dict[str, Any]] = [
        {},
        {"family_name": "山田", "given_name": "", "file_share": "always"},
        {
            "family_name": '"引用" \\ <記号>&',
            "given_name": "花子",
            "macs": ["aa-bb-cc-dd-ee-01", "aa-bb-cc-dd-ee-02"],
            "terminals": [group1, group2],
            "hours": {"start": "22:00", "end": "6:00"},
            "file_share": "approval",
            "federation_targets": ["Box"],
        },
        {"macs": [], "terminals": [group2], "hours": {"start": "0:00", "end": "24:00"}},
        {"valid_from": today().isoformat(), "valid_until": today().isoformat()},  # its last day
        {"valid_from": "2020-01-01", "valid_until": shifted(today(), -1)},
        {"valid_from": shifted(today(), 1)},
    ]
    for n, changes in enumerate(variants):
        await create(shared_app, place, f"shape{n}", **changes)
    listed = await shared_app.get(place.users, params={"limit": 200}, headers=place.headers())
    assert listed.status_code == 200, listed.text
    items = listed.json()["items"]
    assert len(items) == len(variants)
    for item in items:
        read = await shared_app.get(f"{place.users}/{item['user_id']}", headers=place.headers())
        assert read.status_code == 200
        assert item == read.json()
        # The rendering kept on the row (migration 0006) is exactly the declared schema.
        assert sorted(item) == sorted(UserOut.__struct_fields__)
        msgspec.json.decode(json.dumps(item), type=UserOut, strict=True)
        assert item["file_share_label"] == FILE_SHARE_LABELS[item["file_share"]]
        assert item["display_name"] == " ".join(
            part for part in (item["family_name"], item["given_name"]) if part
        )
    assert [item["expired"] for item in items] == [False] * 5 + [True, True]
    assert items[0]["hours"] is None and items[0]["terminals"] == []
    assert items[2]["hours"] == {"start": "22:00", "end": "06:00"}
    assert items[2]["terminals"] == [
        {"terminal_id": group2, "name": f"{place.code}-group02"},
        {"terminal_id": group1, "name": f"{place.code}-踏み台端末01(Local)"},
    ]
    assert items[2]["family_name"] == '"引用" \\ <記号>&' and items[2]["federation_targets"] == [
        "Box"
    ]


# -- U4: 「ユーザー編集」 -----------------------------------------------------------------------


async def test_u4_edit_everything_but_the_account_at_the_version_read(
    shared_app: Client, shared_db: asyncpg.Pool, place: Place
) -> None:
    created = (await create(shared_app, place, "editme"))["user"]
    url = f"{place.users}/{created['user_id']}"
    saved = await shared_app.put(
        url,
        json=form_of(created, family_name="新", email="new@example.jp", macs=["AABBCCDDEEFF"]),
        headers=place.headers(),
    )
    assert saved.status_code == 200, saved.text
    body = saved.json()
    assert body["user"]["version"] == created["version"] + 1 and body["consistency_token"]
    assert (body["user"]["family_name"], body["user"]["macs"]) == ("新", ["AA:BB:CC:DD:EE:FF"])
    assert body["user"]["account"] == created["account"]
    same = await shared_app.put(url, json=form_of(body["user"]), headers=place.headers())
    assert same.status_code == 200 and same.json()["consistency_token"] is None  # nothing to write

    # A second admin saving what it read before the first save: refused, nothing lost.
    stale = await shared_app.put(
        url, json=form_of(created, email="stale@example.jp"), headers=place.headers()
    )
    assert stale.status_code == 409
    problem = stale.json()
    assert problem["code"] == "version_conflict" and "再読み込み" in problem["title"]
    now = (await shared_app.get(url, headers=place.headers())).json()
    assert now["email"] == "new@example.jp"
    names = [e.name for e in await user_events(shared_db, created["user_id"])]
    assert names == ["UserCreated", "UserUpdated"]


async def test_u4_two_admins_saving_at_once_one_wins_the_other_gets_409(
    shared_app: Client, shared_db: asyncpg.Pool, place: Place
) -> None:
    user = (await create(shared_app, place, "contested"))["user"]
    url = f"{place.users}/{user['user_id']}"
    first, second = await asyncio.gather(
        shared_app.put(url, json=form_of(user, email="first@example.jp"), headers=place.headers()),
        shared_app.put(url, json=form_of(user, email="second@example.jp"), headers=place.headers()),
    )
    assert sorted((first.status_code, second.status_code)) == [200, 409]
    loser = first if first.status_code == 409 else second
    winner = second if loser is first else first
    assert loser.json()["code"] == "version_conflict"
    saved = (await shared_app.get(url, headers=place.headers())).json()
    assert saved["email"] == winner.json()["user"]["email"] and saved["version"] == 2
    assert [e.name for e in await user_events(shared_db, user["user_id"])] == [
        "UserCreated",
        "UserUpdated",
    ]


async def test_u4_password_reset_shows_a_new_initial_password_once_and_mfa_reset_unbinds(
    shared_app: Client, shared_db: asyncpg.Pool, place: Place
) -> None:
    created = await create(shared_app, place, "resetme")
    user = created["user"]
    url = f"{place.users}/{user['user_id']}"
    await shared_db.execute(
        "UPDATE user_credentials SET must_change_password = false WHERE user_id = $1",
        user["user_id"],
    )
    await shared_db.execute(
        """INSERT INTO totp_credentials (account_id, secret_sealed, enrolled_version, last_step,
               enrolled_at) VALUES ($1, '\\x01', 1, 0, now())""",
        user["user_id"],
    )
    reset = await shared_app.post(f"{url}/password-reset", headers=place.headers())
    assert reset.status_code == 200, reset.text
    new_password = reset.json()["initial_password"]
    assert new_password != created["initial_password"]
    row = await shared_db.fetchrow(
        "SELECT * FROM user_credentials WHERE user_id = $1", user["user_id"]
    )
    assert row is not None and row["must_change_password"] is True
    assert verify_secret(row["password_hash"], new_password)
    assert not verify_secret(row["password_hash"], created["initial_password"])
    assert verify_secret(row["second_password_hash"], created["second_password"])  # unchanged

    mfa = await shared_app.post(f"{url}/mfa-reset", headers=place.headers())
    assert mfa.status_code == 200 and mfa.json()["consistency_token"]
    assert (
        await shared_db.fetchval(
            "SELECT count(*) FROM totp_credentials WHERE account_id = $1", user["user_id"]
        )
        == 0
    )

    # The form's two checkboxes go with one 「登録」: one transaction, one reply.
    fresh = (await shared_app.get(url, headers=place.headers())).json()
    both = await shared_app.put(
        url, json=form_of(fresh, reset_password=True, reset_mfa=True), headers=place.headers()
    )
    assert both.status_code == 200 and both.json()["initial_password"]
    names = [e.name for e in await user_events(shared_db, user["user_id"])]
    assert names == [
        "UserCreated",
        "UserPasswordReset",
        "UserMfaReset",
        "UserPasswordReset",
        "UserMfaReset",
    ]


async def test_u4_f7_second_password_reset_shows_a_new_one_once_and_the_old_one_fails(
    shared_app: Client, shared_db: asyncpg.Pool, place: Place
) -> None:
    created = await create(shared_app, place, "lostsecond")
    user = created["user"]
    url = f"{place.users}/{user['user_id']}"
    me = bearer(created["account"], "user", place.code)

    async def check(candidate: str) -> int:
        answer = await shared_app.post(
            "/internal/v1/credentials/second-password/check",
            json={"second_password": candidate},
            headers=me,
        )
        return answer.status_code

    assert await check(created["second_password"]) == 204
    reset = await shared_app.post(f"{url}/second-password-reset", headers=place.headers())
    assert reset.status_code == 200, reset.text
    body = reset.json()
    assert body["account"] == created["account"] and body["consistency_token"]
    assert set(body) == {"account", "second_password", "consistency_token"}
    first = body["second_password"]
    assert first != created["second_password"]
    # The old one fails from the reset's commit on; the password stays as it was.
    assert await check(created["second_password"]) == 401
    assert await check(first) == 204
    row = await shared_db.fetchrow(
        "SELECT * FROM user_credentials WHERE user_id = $1", user["user_id"]
    )
    assert row is not None and verify_secret(row["password_hash"], created["initial_password"])

    # The form's checkbox: at the version read (a stale one changes nothing), shown once.
    stale = await shared_app.put(
        url, json=form_of(user, reset_second_password=True), headers=place.headers()
    )
    assert stale.status_code == 409 and stale.json()["code"] == "version_conflict"
    assert await check(first) == 204
    fresh = (await shared_app.get(url, headers=place.headers())).json()
    saved = await shared_app.put(
        url, json=form_of(fresh, reset_second_password=True), headers=place.headers()
    )
    assert saved.status_code == 200, saved.text
    second = saved.json()["second_password"]
    assert second not in (first, created["second_password"])
    assert saved.json()["initial_password"] is None  # only what was reset is shown
    assert await check(first) == 401
    assert await check(second) == 204
    assert (await shared_app.get(url, headers=place.headers())).json()["version"] == (
        fresh["version"] + 1
    )

    names = [e.name for e in await user_events(shared_db, user["user_id"])]
    assert names == ["UserCreated", "UserSecondPasswordReset", "UserSecondPasswordReset"]
    payloads = await shared_db.fetch(
        "SELECT payload FROM events WHERE aggregate_id = $1", user["user_id"]
    )
    for secret in (first, second):
        assert not any(secret.encode() in bytes(p["payload"]) for p in payloads)


# -- U5: 「ユーザー削除」 -----------------------------------------------------------------------


async def test_u5_delete_removes_assignments_and_the_user_never_an_admin(
    shared_app: Client,
    shared_db: asyncpg.Pool,
    place: Place,
    terminals: TerminalsService,
) -> None:
    ids = [await terminals.create(place.code, f"{place.code}-group0{i}") for i in (1, 2)]
    await terminals_known(shared_db, ids)
    user = (await create(shared_app, place, "leaving", terminals=ids))["user"]
    url = f"{place.users}/{user['user_id']}"
    deleted = await shared_app.delete(url, headers=place.headers())
    assert deleted.status_code == 200 and deleted.json()["consistency_token"]
    assert (await shared_app.get(url, headers=place.headers())).status_code == 404
    again = await shared_app.delete(url, headers=place.headers())
    assert again.status_code == 404
    events = await user_events(shared_db, user["user_id"])
    tail = [e.data for e in events[-3:]]
    assert [type(d) for d in tail] == [TerminalUnassigned, TerminalUnassigned, UserDeleted]
    assert {d.reason for d in tail if isinstance(d, TerminalUnassigned)} == {"user_deleted"}
    assert (
        await shared_db.fetchval(
            "SELECT count(*) FROM user_terminals WHERE user_id = $1", user["user_id"]
        )
        == 0
    )
    # The account is free again; the logs (events) keep the old user's history.
    await create(shared_app, place, "leaving")

    admin_id = await shared_db.fetchval(
        "SELECT admin_id FROM admins WHERE account = $1", place.admin_account
    )
    refused = await shared_app.delete(f"{place.users}/{admin_id}", headers=place.headers())
    assert refused.status_code == 409 and refused.json()["code"] == "admin_not_deletable"
    edit = await shared_app.put(
        f"{place.users}/{admin_id}",
        json={**form_of(user), "version": 1},
        headers=place.headers(),
    )
    assert edit.status_code == 409 and edit.json()["code"] == "account_is_admin"


# -- U7: 「有効終了日一括登録」 -----------------------------------------------------------------


async def test_u7_one_end_date_for_the_checked_users_per_user_errors(
    shared_app: Client, shared_db: asyncpg.Pool, place: Place
) -> None:
    early = (await create(shared_app, place, "user04"))["user"]
    also = (await create(shared_app, place, "user05"))["user"]
    late = (
        await create(
            shared_app,
            place,
            "late-starter",
            valid_from=shifted(today(), 30),
            valid_until=shifted(today(), 60),
        )
    )["user"]
    other = await new_facility(shared_app)
    foreign = (await create(shared_app, other, "foreign"))["user"]
    until = shifted(today(), 20)
    response = await shared_app.post(
        f"{place.users}/end-date",
        json={
            "user_ids": [early["user_id"], late["user_id"], also["user_id"], foreign["user_id"]],
            "valid_until": until,
        },
        headers=place.headers(),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    results = {r["user_id"]: r for r in body["results"]}
    assert results[early["user_id"]]["ok"] and results[also["user_id"]]["ok"]
    assert results[late["user_id"]]["code"] == "valid_until_before_start"
    assert not results[late["user_id"]]["message"].isascii()
    assert results[foreign["user_id"]]["code"] == "user_not_found"  # T3: like a missing one
    for user, expected in ((early, until), (also, until), (late, late["valid_until"])):
        read = (
            await shared_app.get(f"{place.users}/{user['user_id']}", headers=place.headers())
        ).json()
        assert read["valid_until"] == expected
    foreign_now = await shared_app.get(
        f"{other.users}/{foreign['user_id']}", headers=other.headers()
    )
    assert foreign_now.json()["valid_until"] == foreign["valid_until"]
    # One transaction, one correlation for the whole command.
    updated = [
        e for uid in (early["user_id"], also["user_id"]) for e in await user_events(shared_db, uid)
    ]
    assert len({e.correlation_id for e in updated if e.name == "UserUpdated"}) == 1

    too_late = await shared_app.post(
        f"{place.users}/end-date",
        json={"user_ids": [early["user_id"]], "valid_until": shifted(last_day(), 1)},
        headers=place.headers(),
    )
    assert too_late.status_code == 400 and too_late.json()["code"] == "valid_until_too_late"
    none = await shared_app.post(
        f"{place.users}/end-date",
        json={"user_ids": [], "valid_until": until},
        headers=place.headers(),
    )
    assert none.status_code == 400 and none.json()["code"] == "end_date_users_invalid"


# -- T3 / T4: who may call, and tenancy -------------------------------------------------------


async def test_t3_every_users_and_jobs_endpoint_answers_404_for_another_facility(
    shared_app: Client, place: Place
) -> None:
    user = (await create(shared_app, place, "mine"))["user"]
    job = await shared_app.post(f"{place.jobs}/user-export", headers=place.headers())
    job_id = job.json()["job_id"]
    intruder = await new_facility(shared_app)
    form = form_of(user)
    endpoints: list[tuple[str, str, dict[str, Any]]] = [
        ("GET", place.users, {}),
        ("POST", place.users, {"json": user_body("x1")}),
        ("GET", f"{place.users}/{user['user_id']}", {}),
        ("PUT", f"{place.users}/{user['user_id']}", {"json": form}),
        ("DELETE", f"{place.users}/{user['user_id']}", {}),
        ("POST", f"{place.users}/{user['user_id']}/password-reset", {}),
        ("POST", f"{place.users}/{user['user_id']}/mfa-reset", {}),
        ("POST", f"{place.users}/{user['user_id']}/second-password-reset", {}),
        (
            "POST",
            f"{place.users}/end-date",
            {"json": {"user_ids": [user["user_id"]], "valid_until": "2026-01-01"}},
        ),
        (
            "PUT",
            f"/internal/v1/facilities/{place.code}/terminals/t-any/users",
            {"json": {"user_ids": [user["user_id"]]}},
        ),
        ("POST", f"{place.jobs}/user-export", {}),
        ("POST", f"{place.jobs}/user-import", {"content": b"x"}),
        ("GET", place.jobs, {}),
        ("GET", f"{place.jobs}/{job_id}", {}),
        ("GET", f"{place.jobs}/{job_id}/file", {}),
    ]
    for method, url, extra in endpoints:
        theirs = await shared_app.request(method, url, headers=intruder.headers(), **extra)
        missing = await shared_app.request(
            method,
            url.replace(f"/{place.code}/", "/000/"),
            headers=bearer("x", "admin", "000"),
            **extra,
        )
        assert theirs.status_code == missing.status_code == 404, (method, url, theirs.text)
        assert theirs.json() == missing.json()
        for role in ("user", "agent", "system"):
            forbidden = await shared_app.request(
                method,
                url,
                headers=bearer("someone", role, place.code),
                **extra,
            )
            assert forbidden.status_code == 403, (role, method, url)
        unsigned = await shared_app.request(method, url, **extra)
        assert unsigned.status_code == 401
    # The user is untouched, and its own facility's admin still sees it; so do operators.
    mine = await shared_app.get(f"{place.users}/{user['user_id']}", headers=place.headers())
    assert mine.status_code == 200 and mine.json()["version"] == user["version"]
    ops = await shared_app.get(f"{place.users}/{user['user_id']}", headers=operator())
    assert ops.status_code == 200
    # Within its own facility, another facility's user id reads as missing.
    own_path_foreign_id = await shared_app.get(
        f"{intruder.users}/{user['user_id']}", headers=intruder.headers()
    )
    assert own_path_foreign_id.status_code == 404
    assert own_path_foreign_id.json()["code"] == "user_not_found"


async def test_t3_u3_text_the_database_cannot_hold_answers_404_or_400_never_500(
    shared_app: Client, place: Place
) -> None:
    """A NUL in an id, a search term or a cursor names nothing: no request fails on it."""
    user = (await create(shared_app, place, "plain"))["user"]
    for method, url in (
        ("GET", f"{place.users}/a%00b"),
        ("PUT", f"{place.users}/a%00b"),
        ("DELETE", f"{place.users}/a%00b"),
        ("POST", f"{place.users}/a%00b/password-reset"),
        ("GET", f"{place.jobs}/a%00b"),
        ("GET", f"{place.jobs}/a%00b/file"),
        ("GET", "/internal/v1/facilities/9%009/users"),
    ):
        extra: dict[str, Any] = {"json": form_of(user)} if method == "PUT" else {}
        for headers in (place.headers(), operator()):
            response = await shared_app.request(method, url, headers=headers, **extra)
            assert response.status_code == 404, (method, url, response.text)
    nul_cursor = "WyJhY2NvdW50IixmYWxzZSxbImFcdTAwMDAiXV0"  # ["account", false, ["a\u0000"]]
    for params in ({"account": "a\x00"}, {"email": "\x00"}, {"cursor": nul_cursor}):
        response = await shared_app.get(place.users, params=params, headers=place.headers())
        assert response.status_code == 400, (params, response.text)
    end = await shared_app.post(
        f"{place.users}/end-date",
        json={"user_ids": ["a\x00", user["user_id"]], "valid_until": today().isoformat()},
        headers=place.headers(),
    )
    assert end.status_code == 200, end.text
    assert [r["code"] for r in end.json()["results"]] == ["user_not_found", None]


# -- K3 / K4: terminals from the user side ------------------------------------------------------


async def test_k3_k4_assignments_follow_the_terminals_catalogue(
    shared_app: Client,
    shared_db: asyncpg.Pool,
    place: Place,
    terminals: TerminalsService,
) -> None:
    other = await new_facility(shared_app)
    group1 = await terminals.create(place.code, f"{place.code}-踏み台端末01(Local)")
    group2 = await terminals.create(place.code, f"{place.code}-group02")
    theirs = await terminals.create(other.code, f"{other.code}-group01")
    await terminals_known(shared_db, [group1, group2, theirs])
    refused = await shared_app.post(
        place.users, json=user_body("k1", terminals=[group1, theirs]), headers=place.headers()
    )
    assert refused.status_code == 400 and problem_codes(refused) == {"terminal_unknown"}
    alice = (await create(shared_app, place, "alice", terminals=[group1, group2]))["user"]
    bob = (await create(shared_app, place, "bob", terminals=[group1]))["user"]
    assert [t["name"] for t in alice["terminals"]] == [
        f"{place.code}-group02",
        f"{place.code}-踏み台端末01(Local)",
    ]
    await terminals.rename(place.code, group2, f"{place.code}-group02b", f"{place.code}-group02")

    async def renamed() -> bool:
        read = (
            await shared_app.get(f"{place.users}/{alice['user_id']}", headers=place.headers())
        ).json()
        return f"{place.code}-group02b" in [t["name"] for t in read["terminals"]]

    await wait_for(renamed, what="the rename to reach identity")
    await terminals.delete(place.code, group1, f"{place.code}-踏み台端末01(Local)")

    async def unassigned() -> bool:
        count = await shared_db.fetchval(
            "SELECT count(*) FROM user_terminals WHERE terminal_id = $1", group1
        )
        return bool(count == 0)

    await wait_for(unassigned, what="identity to unassign the deleted terminal")
    for user, left in ((alice, [group2]), (bob, [])):
        read = (
            await shared_app.get(f"{place.users}/{user['user_id']}", headers=place.headers())
        ).json()
        assert [t["terminal_id"] for t in read["terminals"]] == left
        reaction = (await user_events(shared_db, user["user_id"]))[-1]
        assert isinstance(reaction.data, TerminalUnassigned)
        assert reaction.data.reason == "terminal_deleted" and reaction.actor.role == "system"
    deleted_again = await shared_app.post(
        place.users, json=user_body("k2", terminals=[group1]), headers=place.headers()
    )
    assert deleted_again.status_code == 400 and problem_codes(deleted_again) == {"terminal_unknown"}


async def test_k2_k3_a_terminals_user_selection_is_saved_all_or_nothing(
    shared_app: Client,
    shared_db: asyncpg.Pool,
    place: Place,
    terminals: TerminalsService,
) -> None:
    other = await new_facility(shared_app)
    group = await terminals.create(place.code, f"{place.code}-選択01")
    theirs = await terminals.create(other.code, f"{other.code}-選択01")
    await terminals_known(shared_db, [group, theirs])
    a = (await create(shared_app, place, "sel-a"))["user"]
    b = (await create(shared_app, place, "sel-b", terminals=[group]))["user"]
    c = (await create(shared_app, place, "sel-c"))["user"]
    stranger = (await create(shared_app, other, "sel-x"))["user"]
    path = f"/internal/v1/facilities/{place.code}/terminals/{group}/users"

    async def assigned() -> dict[str, bool]:
        found = {}
        for user in (a, b, c):
            read = await shared_app.get(f"{place.users}/{user['user_id']}", headers=place.headers())
            found[user["name"]] = group in [t["terminal_id"] for t in read.json()["terminals"]]
        return found

    selection = {"user_ids": [a["user_id"], c["user_id"], a["user_id"]]}
    saved = await shared_app.put(path, json=selection, headers=place.headers())
    assert saved.status_code == 200, saved.text
    assert {(x["account"], x["assigned"]) for x in saved.json()["changed"]} == {
        (a["account"], True),
        (b["account"], False),
        (c["account"], True),
    }
    assert saved.json()["consistency_token"]
    assert await assigned() == {"sel-a": True, "sel-b": False, "sel-c": True}
    unchanged = await shared_app.put(path, json=selection, headers=place.headers())
    assert unchanged.json() == {"changed": [], "consistency_token": None}
    b_events = [e.data for e in await user_events(shared_db, b["user_id"])]
    assert isinstance(b_events[-1], TerminalUnassigned) and b_events[-1].reason == "admin"

    # One id that is not a user of this facility refuses the whole selection.
    for bad in (stranger["user_id"], "no-such-user", "bad\x00id"):
        refused = await shared_app.put(
            path, json={"user_ids": [b["user_id"], bad]}, headers=place.headers()
        )
        assert refused.status_code == 409, refused.text
        assert refused.json()["code"] == "selected_user_not_found"
    assert await assigned() == {"sel-a": True, "sel-b": False, "sel-c": True}

    elsewhere = await shared_app.put(
        f"/internal/v1/facilities/{place.code}/terminals/{theirs}/users",
        json={"user_ids": []},
        headers=place.headers(),
    )
    assert elsewhere.status_code == 404 and elsewhere.json()["code"] == "terminal_not_found"
    too_many = await shared_app.put(
        path, json={"user_ids": [f"u{i}" for i in range(10_001)]}, headers=place.headers()
    )
    assert too_many.status_code == 400


async def test_k3_each_users_row_keeps_its_live_terminals_through_every_kind_of_write(
    shared_app: Client, shared_db: asyncpg.Pool, place: Place
) -> None:
    """Migration 0004's cache on the user's row equals the join it replaced after every
    write that can change it: a command's state statement (create, edit, the terminal's
    user selection), the terminals consumer's insert and update, a rebuild's
    delete-and-insert swap, a deletion."""
    code = place.code
    facility_id = await shared_db.fetchval(
        "SELECT facility_id FROM facilities WHERE code = $1", code
    )

    async def project(terminal_id: str, name: str, *, deleted: bool = False) -> None:
        await shared_db.execute(
            """INSERT INTO terminals (terminal_id, facility_code, name, name_key, deleted, version)
               VALUES ($1, $2, $3, lower($3), $4, 1)
               ON CONFLICT (terminal_id) DO UPDATE SET name = EXCLUDED.name,
                   name_key = EXCLUDED.name_key, deleted = EXCLUDED.deleted""",
            f"{code}-{terminal_id}",
            code,
            name,
            deleted,
        )

    async def cached_equals_join() -> dict[str, list[str]]:
        rows = await shared_db.fetch(
            """SELECT u.account, u.live_terminal_ids, u.live_terminal_names,
                      coalesce(j.ids, '{}') AS ids, coalesce(j.names, '{}') AS names
               FROM users u LEFT JOIN LATERAL (
                   SELECT array_agg(t.terminal_id ORDER BY t.name_key, t.terminal_id) AS ids,
                          array_agg(t.name ORDER BY t.name_key, t.terminal_id) AS names
                   FROM user_terminals ut JOIN terminals t USING (terminal_id)
                   WHERE ut.user_id = u.user_id AND NOT t.deleted) j ON true
               WHERE u.facility_id = $1""",
            facility_id,
        )
        for row in rows:
            assert (row["live_terminal_ids"], row["live_terminal_names"]) == (
                row["ids"],
                row["names"],
            ), row["account"]
        return {row["account"].split("@")[0]: row["live_terminal_names"] for row in rows}

    await project("a", "B端末")
    await project("b", "A端末")
    a, b = f"{code}-a", f"{code}-b"
    ann = (await create(shared_app, place, "cache-ann", terminals=[a, b]))["user"]
    await create(shared_app, place, "cache-ben", terminals=[a])
    assert (await cached_equals_join())[f"{code}-cache-ann"] == ["A端末", "B端末"]

    await project("a", "0端末")  # renamed: ann's order changes, ben's name
    names = await cached_equals_join()
    assert names[f"{code}-cache-ann"] == ["0端末", "A端末"] and names[f"{code}-cache-ben"] == [
        "0端末"
    ]

    # The form's edit and the terminal form's user selection change assignments.
    await project("c", "C端末")
    read = (await shared_app.get(f"{place.users}/{ann['user_id']}", headers=place.headers())).json()
    edited = await shared_app.put(
        f"{place.users}/{ann['user_id']}",
        json=form_of(read, terminals=[a, f"{code}-c"]),
        headers=place.headers(),
    )
    assert edited.status_code == 200, edited.text
    assert (await cached_equals_join())[f"{code}-cache-ann"] == ["0端末", "C端末"]
    selected = await shared_app.put(
        f"/internal/v1/facilities/{code}/terminals/{b}/users",
        json={"user_ids": [ann["user_id"]]},
        headers=place.headers(),
    )
    assert selected.status_code == 200, selected.text
    assert (await cached_equals_join())[f"{code}-cache-ann"] == ["0端末", "A端末", "C端末"]

    await project("b", "A端末", deleted=True)  # the tombstone hides it before the sweep
    assert (await cached_equals_join())[f"{code}-cache-ann"] == ["0端末", "C端末"]

    # A rebuild swaps the projection in by deleting and re-inserting every row.
    async with shared_db.acquire() as conn, conn.transaction():
        await conn.execute("CREATE TEMP TABLE kept ON COMMIT DROP AS SELECT * FROM terminals")
        await conn.execute("DELETE FROM terminals")
        assert (await conn.fetchval(
            "SELECT live_terminal_names FROM users WHERE user_id = $1", ann["user_id"]
        )) == []  # fmt: skip
        await conn.execute("INSERT INTO terminals SELECT * FROM kept")
    assert (await cached_equals_join())[f"{code}-cache-ann"] == ["0端末", "C端末"]

    gone = await shared_app.delete(f"{place.users}/{ann['user_id']}", headers=place.headers())
    assert gone.status_code == 200, gone.text
    assert set(await cached_equals_join()) == {f"{code}-cache-ben"}


async def test_k4_a_late_assignment_to_a_deleted_terminal_is_swept(
    shared_app: Client, shared_db: asyncpg.Pool, place: Place
) -> None:
    """An assignment made just before the deletion reached identity goes too."""
    user = (await create(shared_app, place, "racer"))["user"]
    # The deletion is already projected but the assignment was checked before it arrived.
    await shared_db.execute(
        """INSERT INTO terminals (terminal_id, facility_code, name, name_key, deleted, version)
           VALUES ('t-raced', $1, 'x', 'x', true, 2)""",
        place.code,
    )
    await shared_db.execute(
        "INSERT INTO user_terminals (user_id, terminal_id) VALUES ($1, 't-raced')", user["user_id"]
    )

    async def swept() -> bool:
        return not await shared_db.fetchval(
            "SELECT count(*) FROM user_terminals WHERE terminal_id = 't-raced'"
        )

    await wait_for(swept, what="the sweeper")
    last = (await user_events(shared_db, user["user_id"]))[-1].data
    assert isinstance(last, TerminalUnassigned) and last.terminal_id == "t-raced"


async def test_u1_dates_take_the_three_forms_and_the_response_is_iso(
    shared_app: Client, place: Place
) -> None:
    start = today() - timedelta(days=3)
    user = (
        await create(
            shared_app,
            place,
            "dates",
            valid_from=f"{start.year}/{start.month}/{start.day}",
            valid_until=last_day().strftime("%Y/%m/%d"),
        )
    )["user"]
    assert (user["valid_from"], user["valid_until"]) == (start.isoformat(), last_day().isoformat())
