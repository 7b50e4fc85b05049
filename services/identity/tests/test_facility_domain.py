"""Facility registration and settings rules (SPEC T1, T2, L1, U1 account names), as pure
functions."""

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from libs.events.catalogue.credentials import FacilityPasswordExpirySet
from libs.events.catalogue.identity import FacilitySettingsChanged, FacilitySettingValues
from libs.runtime.problems import DomainError
from services.identity.domain.accounts import check_account_name, full_account
from services.identity.domain.facility import (
    NOTIFY_MAX,
    ChangeFacilitySettings,
    FacilitySettings,
    PasswordExpiry,
    RegisterFacility,
    change_settings,
    register,
)


def cmd(**changes: object) -> RegisterFacility:
    base: dict[str, object] = {
        "code": "998",
        "name": "998-Dev Hospital",
        "domain": "nrasdev.onmicrosoft.com",
        "admin_name": "operation-admin01",
    }
    return RegisterFacility(**{**base, **changes})  # type: ignore[arg-type]


def test_t1_defaults_and_normalised_networks() -> None:
    event = register(cmd(internal_networks=("10.1.2.3/8",)))
    assert (event.time_zone, event.download_period_months) == ("Asia/Tokyo", 3)
    assert event.internal_networks == ("10.0.0.0/8",)


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"code": "98"}, "facility_code_invalid"),
        ({"code": "99a"}, "facility_code_invalid"),
        ({"name": ""}, "facility_name_invalid"),
        ({"name": "x" * 65}, "facility_name_invalid"),
        ({"domain": "no-dot"}, "facility_domain_invalid"),
        ({"time_zone": "Mars/Olympus"}, "facility_time_zone_invalid"),
        ({"download_period_months": 0}, "facility_download_period_invalid"),
        ({"internal_networks": ("10.0.0.0/33",)}, "facility_network_invalid"),
    ],
)
def test_t1_bad_settings_are_refused_with_a_code_and_japanese_message(
    changes: dict[str, object], code: str
) -> None:
    with pytest.raises(DomainError) as caught:
        register(cmd(**changes))
    assert caught.value.code == code
    assert caught.value.errors[0].message  # Japanese text for the form
    assert not caught.value.message.isascii()


def test_t2_full_account() -> None:
    assert full_account("998", "operation-admin01", "nrasdev.onmicrosoft.com") == (
        "998-operation-admin01@nrasdev.onmicrosoft.com"
    )


@given(st.from_regex(r"[A-Za-z0-9]([A-Za-z0-9._-]{0,58}[A-Za-z0-9])?", fullmatch=True))
def test_u1_valid_account_names_pass(name: str) -> None:
    assert check_account_name(name) == name


@pytest.mark.parametrize("name", ["", "-a", "a-", ".a", "a" * 61, "ユーザー", "a b", "a@b"])
def test_u1_invalid_account_names_fail(name: str) -> None:
    with pytest.raises(DomainError):
        check_account_name(name)


NOW = FacilitySettings(
    name="998-Dev Hospital",
    time_zone="Asia/Tokyo",
    download_period_months=3,
    internal_networks=("10.0.0.0/8",),
    notification_addresses=("desk@h998.example.jp",),
)


def test_t1_a_change_carries_only_what_changes_normalised() -> None:
    [event] = change_settings(
        NOW,
        ChangeFacilitySettings(
            code="998",
            name=" 998-New Name ",
            time_zone="Asia/Tokyo",  # as it is: not in the event
            internal_networks=("192.168.1.7/24", "192.168.1.0/24", "10.0.0.0/8"),
            notification_addresses=("A@h998.example.jp", "a@H998.example.jp"),
        ),
    )
    assert isinstance(event, FacilitySettingsChanged)
    assert (event.code, event.name, event.time_zone) == ("998", "998-New Name", None)
    assert event.internal_networks == ("192.168.1.0/24", "10.0.0.0/8")
    assert event.notification_addresses == ("A@h998.example.jp",)
    assert event.download_period_months is None
    assert event.previous == FacilitySettingValues(
        name="998-Dev Hospital",
        internal_networks=("10.0.0.0/8",),
        notification_addresses=("desk@h998.example.jp",),
    )  # what the 操作ログ says it changed from


def test_t1_l1_expiry_is_its_own_event_and_lists_clear_with_an_empty_tuple() -> None:
    events = change_settings(
        NOW,
        ChangeFacilitySettings(
            code="998", internal_networks=(), password_expiry=PasswordExpiry(90)
        ),
    )
    assert [type(e) for e in events] == [FacilitySettingsChanged, FacilityPasswordExpirySet]
    assert events[0].internal_networks == ()  # type: ignore[union-attr]
    assert events[1].max_age_days == 90  # type: ignore[union-attr]
    never = change_settings(
        replace(NOW, password_max_age_days=90),
        ChangeFacilitySettings(code="998", password_expiry=PasswordExpiry(None)),
    )
    assert never == [FacilityPasswordExpirySet(max_age_days=None)]


@pytest.mark.parametrize(
    "cmd",
    [
        ChangeFacilitySettings(code="998"),
        ChangeFacilitySettings(code="998", name="998-Dev Hospital", time_zone="Asia/Tokyo"),
        ChangeFacilitySettings(code="998", internal_networks=("10.9.9.9/8",)),
        ChangeFacilitySettings(code="998", password_expiry=PasswordExpiry(None)),
    ],
)
def test_t1_an_empty_change_or_one_to_the_same_values_is_refused(
    cmd: ChangeFacilitySettings,
) -> None:
    with pytest.raises(DomainError) as caught:
        change_settings(NOW, cmd)
    assert caught.value.code == "facility_settings_unchanged"
    assert not caught.value.message.isascii()


def test_t1_every_bad_setting_is_reported_at_once() -> None:
    with pytest.raises(DomainError) as caught:
        change_settings(
            NOW,
            ChangeFacilitySettings(
                code="998",
                name="",
                time_zone="Asia/Nowhere",
                download_period_months=13,
                internal_networks=("10.0.0.0/33",),
                notification_addresses=("not-an-address",),
                password_expiry=PasswordExpiry(0),
            ),
        )
    found = {(p.field, p.code) for p in caught.value.errors}
    assert found == {
        ("name", "facility_name_invalid"),
        ("time_zone", "facility_time_zone_invalid"),
        ("download_period_months", "facility_download_period_invalid"),
        ("internal_networks", "facility_network_invalid"),
        ("notification_addresses", "email_invalid"),
        ("password_max_age_days", "password_expiry_invalid"),
    }
    address = next(p for p in caught.value.errors if p.field == "notification_addresses")
    assert "not-an-address" in address.message  # which one is at fault


def test_t1_too_many_notification_addresses_are_refused() -> None:
    many = tuple(f"n{i}@h998.example.jp" for i in range(NOTIFY_MAX + 1))
    with pytest.raises(DomainError) as caught:
        register(cmd(notification_addresses=many))
    assert caught.value.code == "facility_notify_too_many"
    assert (
        register(cmd(notification_addresses=many[:NOTIFY_MAX])).notification_addresses
        == (many[:NOTIFY_MAX])
    )
