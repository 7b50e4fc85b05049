"""Operators change a facility's settings (SPEC T1, L1; issue 15) through identity's
operator API and ``./fumidai facility set|show``, on real servers: each change is one
event of the facility with who made it, identity's own row follows at once, and a bad or
empty change is a 400 that says why."""

import asyncio
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from fumidai_cli.__main__ import main as cli_main
from libs.events.catalogue.credentials import FacilityPasswordExpirySet
from libs.events.catalogue.identity import FacilityRegistered, FacilitySettingsChanged
from services.identity.settings import IdentitySettings
from services.identity.tests.callers import bearer, operator
from services.identity.tests.signin_support import DOMAIN, events, new_facility

Client = AsyncTestClient[Litestar]


def admin() -> dict[str, str]:
    """An admin's headers, minted per request: tokens live 60 s, and a module-level one
    minted at collection had expired by the time a full run reached these tests."""
    return bearer(f"998-operation-admin01@{DOMAIN}", "admin", "998")


async def change(app: Client, code: str = "998", **body: Any) -> Any:
    return await app.patch(
        f"/internal/v1/operator/facilities/{code}", json=body, headers=operator()
    )


async def read(app: Client, code: str = "998") -> dict[str, Any]:
    response = await app.get(f"/internal/v1/facilities/{code}", headers=admin())
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_t1_l1_operator_changes_settings_one_event_each_and_the_row_follows(
    identity: Client, identity_settings: IdentitySettings
) -> None:
    await new_facility(identity)
    first = await change(
        identity,
        name="998-New Name",
        time_zone="America/New_York",
        download_period_months=6,
        internal_networks=["10.1.2.3/16"],
        notification_addresses=["desk@h998.example.jp"],
    )
    assert first.status_code == 200, first.text
    assert set(first.json()["changed"]) == {
        "name",
        "time_zone",
        "download_period_months",
        "internal_networks",
        "notification_addresses",
    }
    second = await change(identity, password_expiry={"max_age_days": 90}, internal_networks=[])
    assert second.json()["changed"] == ["internal_networks", "password_max_age_days"]
    assert await read(identity) == {
        **(await read(identity)),
        "name": "998-New Name",
        "time_zone": "America/New_York",
        "download_period_months": 6,
        "internal_networks": [],
        "notification_addresses": ["desk@h998.example.jp"],
        "password_max_age_days": 90,
    }
    facility_events = [e for e in await events(identity_settings) if e.aggregate_type == "facility"]
    assert [type(e.data) for e in facility_events] == [
        FacilityRegistered,
        FacilitySettingsChanged,
        FacilitySettingsChanged,
        FacilityPasswordExpirySet,
    ]
    assert [e.version for e in facility_events] == [1, 2, 3, 4]
    changed = facility_events[1].data
    assert isinstance(changed, FacilitySettingsChanged)
    assert (changed.code, changed.time_zone, changed.internal_networks) == (
        "998",
        "America/New_York",
        ("10.1.0.0/16",),
    )
    assert facility_events[1].actor.role == "operator"
    assert facility_events[3].causation_id == facility_events[2].event_id


async def test_t1_an_unchanged_or_bad_change_is_a_400_that_says_why(identity: Client) -> None:
    await new_facility(identity)
    for body in ({}, {"name": "998-Hospital"}, {"password_expiry": {"max_age_days": None}}):
        same = await change(identity, **body)
        assert same.status_code == 400, body
        assert same.json()["code"] == "facility_settings_unchanged"
        assert not same.json()["title"].isascii()
    bad = await change(
        identity, time_zone="Asia/Nowhere", notification_addresses=["x@y.example.jp", "nope"]
    )
    assert bad.status_code == 400
    assert {(p["field"], p["code"]) for p in bad.json()["errors"]} == {
        ("time_zone", "facility_time_zone_invalid"),
        ("notification_addresses", "email_invalid"),
    }
    wrong_type = await change(identity, download_period_months="six")
    assert wrong_type.status_code == 400
    nul = await change(identity, name="998\x00")
    assert nul.status_code == 400
    assert (await change(identity, "997", name="x")).status_code == 404
    as_admin = await identity.patch(
        "/internal/v1/operator/facilities/998", json={"name": "x"}, headers=admin()
    )
    assert as_admin.status_code == 403
    assert (await read(identity))["name"] == "998-Hospital"


async def test_t1_registration_takes_notification_addresses(identity: Client) -> None:
    response = await identity.post(
        "/internal/v1/operator/facilities",
        json={
            "code": "998",
            "name": "998-Hospital",
            "domain": DOMAIN,
            "admin": "operation-admin01",
            "notification_addresses": ["desk@h998.example.jp", "DESK@h998.example.jp"],
        },
        headers=operator(),
    )
    assert response.status_code == 201, response.text
    assert (await read(identity))["notification_addresses"] == ["desk@h998.example.jp"]
    assert (await read(identity))["federation_targets"] == []


def labelled(out: str) -> dict[str, str]:
    return {
        label.strip(): value.strip()
        for label, _, value in (line.partition(":") for line in out.splitlines())
    }


async def test_t1_l1_cli_sets_and_shows_every_setting(
    identity: Client, identity_settings: IdentitySettings, capsys: pytest.CaptureFixture[str]
) -> None:
    url = identity_settings.core.database_url
    create = [
        "facility", "create", "--code", "997", "--name", "997-Clinic", "--domain", DOMAIN,
        "--admin", "admin01", "--admin-full-name", "佐藤 一郎",
        "--admin-email", "ichiro@clinic.example.jp",
        "--notify-address", "desk@clinic.example.jp", "--database-url", url,
    ]  # fmt: skip
    assert await asyncio.to_thread(cli_main, create) == 0
    capsys.readouterr()

    async def cli(*args: str) -> int:
        return await asyncio.to_thread(cli_main, ["facility", *args, "--database-url", url])

    assert await cli("set", "997", "--time-zone", "Europe/London",
                     "--internal-network", "10.0.0.0/8", "--internal-network", "192.168.0.1/24",
                     "--notify-address", "a@clinic.example.jp",
                     "--notify-address", "b@clinic.example.jp",
                     "--download-period-months", "12", "--name", "997-Renamed",
                     "--password-expiry-days", "30") == 0  # fmt: skip
    assert "time_zone" in capsys.readouterr().out
    assert await cli("show", "997") == 0
    shown = labelled(capsys.readouterr().out)
    assert shown == {
        "code": "997",
        "name": "997-Renamed",
        "domain": DOMAIN,
        "time zone": "Europe/London",
        "download period (months)": "12",
        "internal networks": "10.0.0.0/8, 192.168.0.0/24",
        "notification addresses": "a@clinic.example.jp, b@clinic.example.jp",
        "password expiry (days)": "30",
        "federation targets": "(none)",
    }
    for change in (["add", "Box"], ["add", "Microsoft 365"], ["retire", "Box"]):
        targets = ["facility", "targets", "997", "--database-url", url, *change]
        assert await asyncio.to_thread(cli_main, targets) == 0
    assert await cli("set", "997", "--no-internal-networks", "--password-expiry-days", "never") == 0
    assert await cli("show", "997") == 0
    shown = labelled(capsys.readouterr().out)
    assert (shown["internal networks"], shown["password expiry (days)"]) == ("(none)", "never")
    assert shown["federation targets"] == "Box (retired), Microsoft 365"

    assert await cli("set", "997", "--time-zone", "Europe/London") == 1
    assert "facility_settings_unchanged" in capsys.readouterr().err
    assert await cli("set", "997", "--time-zone", "Mars/Base", "--download-period-months", "0") == 1
    err = capsys.readouterr().err
    assert "time_zone: タイムゾーンが正しくありません。" in err
    assert "download_period_months: ダウンロード期間は1〜12か月で指定してください。" in err
    assert await cli("set", "996", "--name", "x") == 1
    assert "facility_not_found" in capsys.readouterr().err
    assert await cli("show", "996") == 1
    with pytest.raises(SystemExit):  # neither a number nor never
        await cli("set", "997", "--password-expiry-days", "soon")
