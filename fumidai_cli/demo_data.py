"""What ``./fumidai up`` puts in facility 998 on first start, in the manual's style (3.0–3.9).

Plain data, dated from ``today``: terminals, users (some 失効, some with 08:30–17:30, every
ファイル共有権限), who connects where through the reference agent, and who signs in.
``demo_seed`` makes it real through the services' APIs.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

GROUPS = ("operation-group01", "operation-group02", "operation-group03")
LOCAL = "踏み台端末02(Local)"
TERMINALS = (*GROUPS, LOCAL)
"""Name parts: the terminals are ``998-operation-group01`` … and ``998-踏み台端末02(Local)``."""

USER_COUNT = 30
EXPIRED = (27, 28, 29, 30)
"""Users whose end date is past: 「失効」 in the list."""
OFFICE_HOURS = (11, 12, 13, 14, 15, 16)
"""08:30–17:30, as in the manual's figures."""
NIGHT_SHIFT = (21,)
"""22:00–06:00: a window that crosses midnight."""
ALWAYS = (12, 13, 14, 15, 16, 22)
APPROVAL = (1, 17, 23)
NO_MAC = (8,)
SHARED_MAC = "00-11-22-33-44-55"
"""The manual's users share one MAC address; U1 allows it."""


FEDERATION_TARGETS = ("Microsoft 365", "Box", "旧ファイル転送")
"""The facility's 認証連携先 (T1), added by the operator before the users exist."""
RETIRED_TARGETS = ("旧ファイル転送",)
"""Retired once the users are in: the users who had it keep it (U1), no one else can."""


def federation_targets_of(n: int) -> list[str]:
    """Most users have none (the manual marks the field optional); some one or two."""
    targets = []
    if n % 3 == 0:
        targets.append("Microsoft 365")
    if n % 5 == 0:
        targets.append("Box")
    if n in (1, 4):  # operation-user01's form is the manual's edit figure: it shows one
        targets.append("旧ファイル転送")
    return targets


@dataclass(frozen=True)
class DemoUser:
    name: str
    body: dict[str, object]
    """What an admin types in 「新規」 but the account and the terminals (identity's fields)."""
    terminals: list[str]
    """Name parts of its terminals."""


@dataclass(frozen=True)
class Connection:
    """One attempt of the reference agent: ``user`` from ``mac`` at ``terminal``."""

    user: str
    terminal: str
    mac: str
    stays_live: bool = False
    refused: bool = False


@dataclass(frozen=True)
class Catalogue:
    users: list[DemoUser]
    connections: list[Connection]
    uploader: str
    """The 承認後に許可 user whose share waits in the 承認 tab."""
    federation_targets: tuple[str, ...] = FEDERATION_TARGETS
    retired_targets: tuple[str, ...] = RETIRED_TARGETS
    sharers: list[str] = field(default_factory=list)
    """Other users who sign in for ファイル共有 (常に許可: their share is available at once)."""
    wrong_passwords: list[str] = field(default_factory=list)
    """Accounts (name parts, or unknown ones) that fail a sign-in once each."""


def user_name(n: int) -> str:
    return f"operation-user{n:02d}"


def mac_of(n: int) -> str | None:
    if n in NO_MAC:
        return None
    if n == 1:
        return "AA-BB-CC-DD-EE-FF"
    return SHARED_MAC if n % 2 == 0 else f"02-1A-2B-3C-4D-{n:02X}"


def terminals_of(n: int) -> list[str]:
    """Spread like the manual's list: one group, two, none, the local jump host."""
    pattern: list[list[str]] = [
        [GROUPS[0]],
        [GROUPS[2]],
        [],
        [GROUPS[0], GROUPS[1]],
        [LOCAL],
        [GROUPS[1], LOCAL],
    ]
    return pattern[n % len(pattern)]


def demo_user(n: int, today: date) -> DemoUser:
    expired = n in EXPIRED
    start = today - timedelta(days=400 if expired else 120)
    end = today - timedelta(days=3 * n) if expired else today + timedelta(days=365)
    hours = None
    if n in OFFICE_HOURS:
        hours = {"start": "08:30", "end": "17:30"}
    elif n in NIGHT_SHIFT:
        hours = {"start": "22:00", "end": "6:00"}
    share = "always" if n in ALWAYS else "approval" if n in APPROVAL else "deny"
    mac = mac_of(n)
    return DemoUser(
        name=user_name(n),
        body={
            "family_name": "operation",
            "given_name": f"user{n:02d}",
            "email": f"operation-user{n:02d}@demo.fumidai.invalid",
            "valid_from": start.isoformat(),
            "valid_until": end.isoformat(),
            "macs": [mac] if mac else [],
            "hours": hours,
            "file_share": share,
            "federation_targets": federation_targets_of(n),
        },
        terminals=terminals_of(n),
    )


def catalogue(today: date) -> Catalogue:
    users = [demo_user(n, today) for n in range(1, USER_COUNT + 1)]
    # Users without hours, so that the outcome does not depend on the time of day.
    connections = [
        Connection(user_name(3), GROUPS[0], mac_of(3) or ""),
        Connection(user_name(4), LOCAL, SHARED_MAC),
        Connection(user_name(6), GROUPS[0], SHARED_MAC),
        Connection(user_name(5), LOCAL, mac_of(5) or ""),
        Connection(user_name(9), GROUPS[1], mac_of(9) or ""),
        Connection(user_name(7), GROUPS[2], mac_of(7) or "", stays_live=True),
        # Refusals, each with its own reason (C1): 失効, an unknown MAC, not assigned.
        Connection(user_name(28), LOCAL, SHARED_MAC, refused=True),
        Connection(user_name(6), GROUPS[0], "02-99-99-99-99-99", refused=True),
        Connection(user_name(2), GROUPS[0], SHARED_MAC, refused=True),
    ]
    return Catalogue(
        users=users,
        connections=connections,
        uploader=user_name(1),
        sharers=[user_name(22)],
        wrong_passwords=[user_name(5), user_name(5), "operation-user99"],
    )
