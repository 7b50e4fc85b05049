"""「パスワードを忘れた場合」's decisions as pure functions (decision 0020): who gets a link,
when a link stops working, where it points."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.identity.domain.recovery import (
    link_lifetime_minutes,
    link_refusal,
    link_url,
    request_verdict,
)

NOW = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)
ABLE: dict[str, Any] = {
    "exists": True,
    "kind": "admin",
    "app": "メンテナンスツール",
    "disabled": False,
    "valid": True,
    "enrolled": True,
    "address": "hanako@example.jp",
}


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({}, "link_sent"),
        ({"exists": False, "kind": None}, "unknown_account"),
        ({"app": "ファイル共有"}, "app_not_allowed"),
        ({"kind": "user"}, "app_not_allowed"),
        ({"kind": "user", "app": "ファイル共有"}, "link_sent"),
        ({"disabled": True}, "account_disabled"),
        ({"valid": False}, "account_not_valid"),
        ({"enrolled": False}, "mfa_not_enrolled"),
        ({"address": None}, "no_address"),
        ({"address": ""}, "no_address"),
    ],
)
def test_a_link_goes_only_to_an_account_that_could_use_it(
    change: dict[str, Any], reason: str
) -> None:
    assert request_verdict(**{**ABLE, **change}) == reason


def refusal(**change: Any) -> str | None:
    args: dict[str, Any] = {
        "used_at": None,
        "replaced_at": None,
        "expires_at": NOW + timedelta(minutes=15),
        "base_version": 4,
        "reset_version": 0,
        "now": NOW,
    }
    return link_refusal(**{**args, **change})


def test_a_link_works_once_until_replaced_or_expired() -> None:
    assert refusal() is None
    assert refusal(now=NOW + timedelta(minutes=15)) == "link_expired"
    assert refusal(replaced_at=NOW) == "link_replaced"
    assert refusal(reset_version=5) == "link_replaced"  # a reset since it was mailed
    assert refusal(reset_version=3) is None
    # Used is said first: the one who used it learns why it no longer works.
    assert refusal(used_at=NOW, replaced_at=NOW, now=NOW + timedelta(hours=1)) == "link_used"


def test_the_link_points_at_the_audiences_page_with_the_token_in_the_fragment() -> None:
    assert link_url("https://m.example.jp/", "admin", "abc") == (
        "https://m.example.jp/reset-password#token=abc"
    )
    assert link_url("https://m.example.jp", "user", "abc") == (
        "https://m.example.jp/share/reset-password#token=abc"
    )
    assert link_lifetime_minutes(timedelta(seconds=900)) == 15
    assert link_lifetime_minutes(timedelta(seconds=5)) == 1
