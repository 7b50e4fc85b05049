"""Facility registration rules (SPEC T1, T2, U1 account names), as pure functions."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from libs.runtime.problems import DomainError
from services.identity.domain.accounts import check_account_name, full_account
from services.identity.domain.facility import RegisterFacility, register


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
