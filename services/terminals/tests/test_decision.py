"""The connection decision as a pure function (SPEC C1, C2): a table of cases.

Times are written in the facility's wall clock (Asia/Tokyo unless a row says otherwise),
converted to UTC before deciding, as the server's clock gives them.
"""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from services.terminals.domain.decision import (
    AccessProfile,
    Account,
    Hours,
    decide,
    normalize_mac,
)

TOKYO = ZoneInfo("Asia/Tokyo")
TERMINAL = "t-1"
MAC = "00:11:22:33:44:55"


def profile(
    *,
    valid_from: date = date(2025, 4, 1),
    valid_until: date = date(2025, 4, 30),
    macs: tuple[str, ...] = (MAC,),
    hours: tuple[str, str] | None = None,
    terminals: tuple[str, ...] = (TERMINAL,),
) -> AccessProfile:
    return AccessProfile(
        valid_from=valid_from,
        valid_until=valid_until,
        macs=frozenset(macs),
        hours=Hours.parse(*hours) if hours else None,
        terminals=frozenset(terminals),
    )


USER = Account(profile=profile())
DAY = "2025-04-10"

# (case, account, local wall-clock time, mac, terminal known, zone, expected reason)
TABLE: list[tuple[str, Account, str, str | None, bool, str, str | None]] = [
    ("allowed", USER, f"{DAY} 12:00:00", MAC, True, "Asia/Tokyo", None),
    # C1's reasons, each alone.
    ("terminal unknown", USER, f"{DAY} 12:00:00", MAC, False, "Asia/Tokyo", "terminal_unknown"),
    ("no such user", Account(), f"{DAY} 12:00:00", MAC, True, "Asia/Tokyo", "unknown_user"),
    ("admin", Account(admin=True), f"{DAY} 12:00:00", MAC, True, "Asia/Tokyo", "admin_account"),
    (
        "other mac",
        USER,
        f"{DAY} 12:00:00",
        "00:11:22:33:44:56",
        True,
        "Asia/Tokyo",
        "mac_not_registered",
    ),
    ("not a mac", USER, f"{DAY} 12:00:00", None, True, "Asia/Tokyo", "mac_not_registered"),
    (
        "user without macs",
        Account(profile=profile(macs=())),
        f"{DAY} 12:00:00",
        MAC,
        True,
        "Asia/Tokyo",
        "mac_not_registered",
    ),
    (
        "not assigned",
        Account(profile=profile(terminals=("t-2",))),
        f"{DAY} 12:00:00",
        MAC,
        True,
        "Asia/Tokyo",
        "terminal_not_assigned",
    ),
    # Validity days: from 00:00 of the start day to 23:59:59 of the end day (U1).
    (
        "day before start, last second",
        USER,
        "2025-03-31 23:59:59",
        MAC,
        True,
        "Asia/Tokyo",
        "not_yet_valid",
    ),
    ("start day, 00:00", USER, "2025-04-01 00:00:00", MAC, True, "Asia/Tokyo", None),
    ("end day, 23:59:59", USER, "2025-04-30 23:59:59", MAC, True, "Asia/Tokyo", None),
    ("day after end, 00:00", USER, "2025-05-01 00:00:00", MAC, True, "Asia/Tokyo", "expired"),
    # The facility's zone decides the day: 2025-04-30 15:00 UTC is May 1st in Tokyo but
    # still April 30th in Los Angeles.
    ("end day in Los Angeles", USER, "2025-04-30 08:00:00", MAC, True, "America/Los_Angeles", None),
    # Several reasons: C1's order names the first.
    (
        "expired and wrong mac",
        USER,
        "2025-05-02 12:00:00",
        "00:11:22:33:44:56",
        True,
        "Asia/Tokyo",
        "expired",
    ),
    (
        "admin and unknown terminal",
        Account(admin=True),
        f"{DAY} 12:00:00",
        MAC,
        False,
        "Asia/Tokyo",
        "terminal_unknown",
    ),
]

# Hours 08:30–17:30: the start is in, the end is out.
DAYTIME = Account(profile=profile(hours=("08:30", "17:30")))
TABLE += [
    ("before hours", DAYTIME, f"{DAY} 08:29:59", MAC, True, "Asia/Tokyo", "outside_hours"),
    ("hours start", DAYTIME, f"{DAY} 08:30:00", MAC, True, "Asia/Tokyo", None),
    ("hours last second", DAYTIME, f"{DAY} 17:29:59", MAC, True, "Asia/Tokyo", None),
    ("hours end", DAYTIME, f"{DAY} 17:30:00", MAC, True, "Asia/Tokyo", "outside_hours"),
]
# Overnight 22:00–06:00 crosses midnight (beyond: night shifts).
NIGHT = Account(profile=profile(hours=("22:00", "06:00")))
TABLE += [
    ("night: evening before", NIGHT, f"{DAY} 21:59:59", MAC, True, "Asia/Tokyo", "outside_hours"),
    ("night: start", NIGHT, f"{DAY} 22:00:00", MAC, True, "Asia/Tokyo", None),
    ("night: before midnight", NIGHT, f"{DAY} 23:59:59", MAC, True, "Asia/Tokyo", None),
    ("night: midnight", NIGHT, "2025-04-11 00:00:00", MAC, True, "Asia/Tokyo", None),
    ("night: last second", NIGHT, "2025-04-11 05:59:59", MAC, True, "Asia/Tokyo", None),
    ("night: end", NIGHT, "2025-04-11 06:00:00", MAC, True, "Asia/Tokyo", "outside_hours"),
    ("night: noon", NIGHT, f"{DAY} 12:00:00", MAC, True, "Asia/Tokyo", "outside_hours"),
    # A night shift does not outlive the account: past midnight of the end day is expired.
    ("night: after the end day", NIGHT, "2025-05-01 01:00:00", MAC, True, "Asia/Tokyo", "expired"),
]
# Until 24:00 and from 00:00.
TABLE += [
    ("till 24:00", Account(profile=profile(hours=("18:00", "24:00"))), f"{DAY} 23:59:59", MAC,
     True, "Asia/Tokyo", None),
    ("from 00:00", Account(profile=profile(hours=("00:00", "00:30"))), f"{DAY} 00:00:00", MAC,
     True, "Asia/Tokyo", None),
    ("from 00:00, 00:30", Account(profile=profile(hours=("00:00", "00:30"))), f"{DAY} 00:30:00",
     MAC, True, "Asia/Tokyo", "outside_hours"),
    # Hours are the facility's wall clock: 12:00 UTC is 21:00 in Tokyo, 08:00 in New York.
    ("hours in New York", DAYTIME, f"{DAY} 08:00:00", MAC, True, "America/New_York",
     "outside_hours"),
]  # fmt: skip


def at(local: str, zone: str) -> datetime:
    """The UTC instant of a wall-clock time in ``zone``, as the server's clock has it."""
    return datetime.fromisoformat(local).replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)


@pytest.mark.parametrize(
    ("case", "account", "local", "mac", "known", "zone", "expected"),
    TABLE,
    ids=[row[0] for row in TABLE],
)
def test_c1_c2_decision_table(
    case: str,
    account: Account,
    local: str,
    mac: str | None,
    known: bool,
    zone: str,
    expected: str | None,
) -> None:
    verdict = decide(
        terminal=TERMINAL if known else None,
        account=account,
        mac=mac,
        at=at(local, zone),
        zone=ZoneInfo(zone),
    )
    assert verdict.reason == expected, case
    assert verdict.allowed is (expected is None)


STEPS = [f"{m // 60:02d}:{m % 60:02d}" for m in range(0, 24 * 60, 30)]


@pytest.mark.parametrize(
    ("start", "end", "inside"),
    [
        ("09:00", "10:30", ["09:00", "09:30", "10:00"]),
        ("23:30", "00:30", ["00:00", "23:30"]),
        ("00:00", "24:00", STEPS),
    ],
)
def test_u1_c1_hours_on_every_30_minute_step(start: str, end: str, inside: list[str]) -> None:
    """Of the 48 steps of a day, exactly those from the start up to the end are allowed."""
    account = Account(profile=profile(hours=(start, end)))
    allowed = [
        step
        for step in STEPS
        if decide(
            terminal=TERMINAL,
            account=account,
            mac=MAC,
            at=at(f"{DAY} {step}:00", "Asia/Tokyo"),
            zone=TOKYO,
        ).allowed
    ]
    assert allowed == inside


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("00-11-22-33-44-5a", "00:11:22:33:44:5A"),
        ("00:11:22:33:44:5A", "00:11:22:33:44:5A"),
        ("0011223344aa", "00:11:22:33:44:AA"),
        (" 00:11:22:33:44:55 ", "00:11:22:33:44:55"),
        ("00:11-22:33:44:55", None),
        ("00:11:22:33:44", None),
        ("zz:11:22:33:44:55", None),
        ("", None),
    ],
)
def test_u1_macs_are_normalised_before_they_are_compared(raw: str, normal: str | None) -> None:
    assert normalize_mac(raw) == normal
