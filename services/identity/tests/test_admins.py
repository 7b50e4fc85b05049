"""Admins as people (issue 15, SPEC T4, L4): a name (氏名) and an address given when an
operator registers a facility or adds an admin; operators disable an admin and enable it
again (never delete, manual 3.2). Through identity's internal API and the operator's
shell commands, on real servers, with the sign-in clock of the test's own."""

import asyncio
from typing import Any

import pytest

from fumidai_cli.__main__ import main as cli_main
from libs.events.catalogue.identity import AdminCreated, AdminDisabled, AdminEnabled
from services.identity.adapters import totp
from services.identity.settings import IdentitySettings
from services.identity.tests.callers import bearer, operator
from services.identity.tests.signin_support import (
    DOMAIN,
    Admin,
    Client,
    FakeClock,
    attempts,
    events,
    first_signin,
    new_facility,
    ok,
    password,
    refused,
    signin,
    step,
)

HANAKO = {"name": "admin02", "display_name": "山田 花子", "email": "hanako@nrasdev.example.jp"}


@pytest.fixture
def app(clocked: Client) -> Client:
    return clocked


async def add(app: Client, code: str = "998", **changes: Any) -> Any:
    return await app.post(
        f"/internal/v1/operator/facilities/{code}/admins",
        json={**HANAKO, **changes},
        headers=operator(),
    )


async def switch(app: Client, account: str, action: str, **kw: Any) -> Any:
    headers = kw.pop("headers", None) or operator()
    return await app.post(
        f"/internal/v1/operator/admins/{action}", json={"account": account}, headers=headers
    )


def field_of(response: Any) -> tuple[str, str]:
    [problem] = response.json()["errors"]
    return problem["field"], problem["code"]


async def test_t4_operator_adds_an_admin_with_its_name_and_address_secrets_shown_once(
    app: Client, clock: FakeClock, identity_settings: IdentitySettings
) -> None:
    await new_facility(app)
    answer = await add(app)
    assert answer.status_code == 201, answer.text
    body = answer.json()
    account = f"998-admin02@{DOMAIN}"
    assert (body["account"], body["display_name"], body["email"]) == (
        account,
        "山田 花子",
        "hanako@nrasdev.example.jp",
    )
    # The new admin signs in like the first: a forced change, an authenticator, the second
    # password shown here once.
    added = Admin(account, body["initial_password"], body["initial_second_password"])
    done = await first_signin(app, clock, added)
    assert done["grant"]["account"] == account and done["grant"]["role"] == "admin"
    created = [e for e in await events(identity_settings) if isinstance(e.data, AdminCreated)]
    event = created[-1]
    assert isinstance(event.data, AdminCreated)
    assert (event.data.display_name, event.data.email, event.data.name) == (
        "山田 花子",
        "hanako@nrasdev.example.jp",
        "admin02",
    )
    assert (event.actor.id, event.actor.role) == ("pytest-operator", "operator")
    assert body["initial_password"] not in event.data.__repr__()
    # The admin's own profile, which the gateway's session answer shows in the header.
    me = await app.get("/internal/v1/admins/me", headers=bearer(account.upper(), "admin", "998"))
    assert me.status_code == 200, me.text
    assert me.json() == {
        "account": account,
        "name": "admin02",
        "display_name": "山田 花子",
        "email": "hanako@nrasdev.example.jp",
    }
    # The first admin was registered without them (the older way): none, not a guess.
    first = ok(
        await app.get(
            "/internal/v1/admins/me",
            headers=bearer(f"998-operation-admin01@{DOMAIN}", "admin", "998"),
        )
    )
    assert (first["display_name"], first["email"]) == (None, None)
    # Another facility's admin by the same account reads as missing (T3).
    other = await app.get("/internal/v1/admins/me", headers=bearer(account, "admin", "997"))
    assert other.status_code == 404


async def test_t4_adding_an_admin_refuses_what_u1_refuses_of_a_user(app: Client) -> None:
    await new_facility(app)
    assert (await add(app)).status_code == 201
    as_admin = await app.post(
        "/internal/v1/operator/facilities/998/admins",
        json=HANAKO,
        headers=bearer(f"998-operation-admin01@{DOMAIN}", "admin", "998"),
    )
    assert as_admin.status_code == 403
    refused(await add(app, "996", name="admin03"), 404, "facility_not_found")
    taken = await add(app, name="ADMIN02")  # unique ignoring case (U1)
    refused(taken, 409, "account_taken")
    assert field_of(taken) == ("name", "account_taken")
    user_taken = await add(app, name="operation-admin01")
    assert user_taken.status_code == 409
    cases = [
        ({"name": "-admin"}, ("name", "account_name_invalid")),
        ({"display_name": "  "}, ("display_name", "admin_display_name_required")),
        ({"display_name": "山" * 65}, ("display_name", "admin_display_name_too_long")),
        ({"display_name": "山田\u0007花子"}, ("display_name", "user_name_invalid")),
        ({"email": "hanako"}, ("email", "email_invalid")),
        ({"email": "a" * 50 + "@nrasdev.example.jp"}, ("email", "email_too_long")),
        ({"email": ""}, ("email", "email_required")),
    ]
    for changes, expected in cases:
        answer = await add(app, **{"name": "admin09", **changes})
        assert answer.status_code == 400, (changes, answer.text)
        assert field_of(answer) == expected, changes
        assert not answer.json()["title"].isascii()
    # At the limits: 64 characters of name, 64 of address.
    edge = await add(
        app, name="admin10", display_name="山" * 64, email="a" * 45 + "@nrasdev.example.jp"
    )
    assert edge.status_code == 201, edge.text


async def test_t1_t4_a_facility_is_registered_with_its_first_admins_name_and_address(
    app: Client, identity_settings: IdentitySettings
) -> None:
    facility = {"code": "997", "name": "997-Clinic", "domain": DOMAIN, "admin": "admin01"}
    bad = await app.post(
        "/internal/v1/operator/facilities",
        json={**facility, "admin_display_name": "佐藤 一郎", "admin_email": "not-an-address"},
        headers=operator(),
    )
    assert bad.status_code == 400 and field_of(bad) == ("admin_email", "email_invalid")
    nameless = await app.post(
        "/internal/v1/operator/facilities",
        json={**facility, "admin_display_name": "", "admin_email": "ichiro@example.jp"},
        headers=operator(),
    )
    assert field_of(nameless) == ("admin_display_name", "admin_display_name_required")
    created = await app.post(
        "/internal/v1/operator/facilities",
        json={**facility, "admin_display_name": " 佐藤 一郎 ", "admin_email": "ichiro@example.jp"},
        headers=operator(),
    )
    assert created.status_code == 201, created.text
    [event] = [e.data for e in await events(identity_settings) if isinstance(e.data, AdminCreated)]
    assert isinstance(event, AdminCreated)
    assert (event.display_name, event.email) == ("佐藤 一郎", "ichiro@example.jp")


async def test_t4_l4_a_disabled_admin_cannot_sign_in_and_is_told_no_more_than_a_wrong_password(
    app: Client, clock: FakeClock, identity_settings: IdentitySettings
) -> None:
    admin = await new_facility(app)
    await first_signin(app, clock, admin)
    clock.advance(seconds=60)
    # A sign-in that reached 「第二パスワードの入力」 before the admin was disabled.
    in_flight = ok(await password(app, admin.account, admin.password))["handle"]
    code = totp.code_at(admin.secret, clock.step)
    ok(await step(app, "totp", handle=in_flight, code=code))

    as_admin = await switch(
        app, admin.account, "disable", headers=bearer(admin.account, "admin", "998")
    )
    assert as_admin.status_code == 403
    refused(await switch(app, f"998-nobody@{DOMAIN}", "disable"), 404, "admin_not_found")
    # The facility's only admin, and still it may be disabled: an operator can enable it
    # again at any time (the decision in app/operator.py's set_admin_disabled).
    disabled = ok(await switch(app, admin.account, "disable"))
    assert (disabled["account"], disabled["disabled"]) == (admin.account, True)
    refused(await switch(app, admin.account, "disable"), 409, "admin_already_disabled")

    refused(
        await step(app, "second-password", handle=in_flight, second_password=admin.second_password),
        410,
        "signin_expired",
    )
    right = await password(app, admin.account, admin.password)
    wrong = await password(app, admin.account, "Not-the-password-1")
    refused(right, 401, "signin_failed")
    # The same answer as a wrong password's: nothing tells a disabled account apart.
    assert right.json() == wrong.json()
    assert ("password", "failure", "account_disabled", "メンテナンスツール") in await attempts(
        identity_settings
    )

    enabled = ok(await switch(app, admin.account, "enable"))
    assert enabled["disabled"] is False
    refused(await switch(app, admin.account, "enable"), 409, "admin_already_enabled")
    clock.advance(seconds=60)
    done = await signin(app, clock, admin)  # its credentials as they were
    assert done["next_step"] == "done"
    switched = [
        e
        for e in await events(identity_settings)
        if isinstance(e.data, AdminDisabled | AdminEnabled)
    ]
    assert [type(e.data) for e in switched] == [AdminDisabled, AdminEnabled]
    assert {(e.actor.id, e.actor.role) for e in switched} == {("pytest-operator", "operator")}


async def test_t4_a_disabled_admins_signed_in_checks_answer_as_for_a_missing_account(
    app: Client, clock: FakeClock
) -> None:
    """Between the disabling and the gateway ending its sessions, a request of the admin's
    that reaches identity finds no account."""
    admin = await new_facility(app)
    await first_signin(app, clock, admin)
    ok(await switch(app, admin.account, "disable"))
    check = await app.post(
        "/internal/v1/credentials/second-password/check",
        json={"second_password": admin.second_password},
        headers=bearer(admin.account, "admin", "998"),
    )
    refused(check, 404, "account_not_found")


# -- the operator's shell commands --------------------------------------------------------------


def labelled(out: str) -> dict[str, str]:
    labels = ("admin", "name", "email", "password", "second")
    return {
        label: value.strip()
        for label, _, value in (line.partition("  ") for line in out.splitlines())
        if label in labels
    }


async def test_t4_cli_adds_disables_and_enables_an_admin(
    app: Client,
    clock: FakeClock,
    identity_settings: IdentitySettings,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = identity_settings.core.database_url
    nameless = [
        "facility", "create", "--code", "997", "--name", "997-Clinic", "--domain", DOMAIN,
        "--admin", "admin01", "--database-url", url,
    ]  # fmt: skip
    with pytest.raises(SystemExit):  # the first admin's name and address are required
        await asyncio.to_thread(cli_main, nameless)
    create = [
        *nameless, "--admin-full-name", "佐藤 一郎", "--admin-email", "ichiro@clinic.example.jp",
    ]  # fmt: skip
    assert await asyncio.to_thread(cli_main, create) == 0
    capsys.readouterr()

    add = [
        "admin", "add", "--facility", "997", "--name", "admin02", "--full-name", "山田 花子",
        "--email", "hanako@clinic.example.jp", "--database-url", url,
    ]  # fmt: skip
    assert await asyncio.to_thread(cli_main, add) == 0
    printed = labelled(capsys.readouterr().out)
    assert (printed["admin"], printed["name"], printed["email"]) == (
        f"997-admin02@{DOMAIN}",
        "山田 花子",
        "hanako@clinic.example.jp",
    )
    admin = Admin(printed["admin"], printed["password"], printed["second"])
    await first_signin(app, clock, admin)
    bad = [*add[:-4], "--email", "nope", "--database-url", url]
    bad[5] = "admin03"
    assert await asyncio.to_thread(cli_main, bad) == 1
    assert "email_invalid" in capsys.readouterr().err

    disable = ["admin", "disable", "--account", admin.account, "--database-url", url]
    assert await asyncio.to_thread(cli_main, disable) == 0
    assert labelled(capsys.readouterr().out)["admin"] == admin.account
    refused(await password(app, admin.account, admin.password), 401, "signin_failed")
    assert await asyncio.to_thread(cli_main, disable) == 1
    assert "admin_already_disabled" in capsys.readouterr().err
    enable = ["admin", "enable", "--account", admin.account, "--database-url", url]
    assert await asyncio.to_thread(cli_main, enable) == 0
    clock.advance(seconds=60)
    assert (await signin(app, clock, admin))["next_step"] == "done"
