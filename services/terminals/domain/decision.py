"""Connection decisions (SPEC C1, C2): may this account connect from this MAC through this
terminal now? A pure function of what the projection knows; no I/O.

Checks run in the order of C1 and the first that fails names the refusal. Days and hours
are wall-clock in the facility's time zone: valid from 00:00 of the start day to 23:59:59
of the end day; hours on 30-minute steps, the end excluded, an end before the start
crossing midnight. A live session is never re-decided (C2): only new connections are.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from libs.events.catalogue.terminals import DecisionReason

_MAC = re.compile(
    r"^(?:[0-9A-Fa-f]{2}([-:])(?:[0-9A-Fa-f]{2}\1){4}[0-9A-Fa-f]{2}|[0-9A-Fa-f]{12})$"
)
_CLOCK = re.compile(r"^([01][0-9]|2[0-4]):([0-5][0-9])$")


def normalize_mac(raw: str) -> str | None:
    """``AA:BB:CC:DD:EE:FF`` from any of the three accepted spellings (U1), else None."""
    text = raw.strip()
    if not _MAC.fullmatch(text):
        return None
    digits = re.sub(r"[-:]", "", text).upper()
    return ":".join(digits[i : i + 2] for i in range(0, 12, 2))


def clock_minutes(text: str) -> int:
    """Minutes after midnight of ``HH:MM`` (``24:00`` is 1440); ValueError if malformed."""
    match = _CLOCK.fullmatch(text)
    if not match:
        raise ValueError(f"not a wall-clock time: {text!r}")
    minutes = int(match[1]) * 60 + int(match[2])
    if minutes > 1440:
        raise ValueError(f"not a wall-clock time: {text!r}")
    return minutes


@dataclass(frozen=True, slots=True)
class Hours:
    """接続利用可能時間 in minutes after midnight; ``end < start`` crosses midnight."""

    start: int
    end: int

    @classmethod
    def parse(cls, start: str, end: str) -> "Hours":
        return cls(clock_minutes(start), clock_minutes(end))

    def admits(self, local: datetime) -> bool:
        """True when the wall-clock time ``local`` lies in the window (end excluded)."""
        second = local.hour * 3600 + local.minute * 60 + local.second
        start, end = self.start * 60, self.end * 60
        if start < end:
            return start <= second < end
        # Overnight (22:00–06:00): from the start to midnight, or from midnight to the end.
        return second >= start or second < end


@dataclass(frozen=True, slots=True)
class AccessProfile:
    """A user's access profile as identity last published it."""

    valid_from: date
    valid_until: date
    macs: frozenset[str]
    """Normalised ``AA:BB:CC:DD:EE:FF``; empty means the user can never connect."""
    hours: Hours | None
    """None means 常に許可."""
    terminals: frozenset[str]
    """Ids of the terminals the user is assigned to (at least the one asked about)."""


@dataclass(frozen=True, slots=True)
class Account:
    """What is known of the account an agent asked about."""

    admin: bool = False
    profile: AccessProfile | None = None
    """None when no such user exists (never created, deleted, or another facility's)."""


@dataclass(frozen=True, slots=True)
class Facts:
    """Everything the projection knows that one decision depends on."""

    terminal_known: bool
    """False when the terminal is not, or no longer, in the catalogue."""
    account: Account
    zone: ZoneInfo
    """The facility's time zone."""


@dataclass(frozen=True, slots=True)
class Verdict:
    reason: DecisionReason | None
    """Why the connection is refused; None when it is allowed."""

    @property
    def allowed(self) -> bool:
        return self.reason is None


ALLOWED = Verdict(None)


def decide(
    *, terminal: str | None, account: Account, mac: str | None, at: datetime, zone: ZoneInfo
) -> Verdict:
    """Allow, or refuse with the first reason of C1 that applies.

    ``terminal`` is the terminal's id, None when it is not (or no longer) catalogued;
    ``mac`` is normalised, None when the agent sent something that is not a MAC; ``at``
    is timezone-aware.
    """
    if terminal is None:
        return Verdict("terminal_unknown")
    if account.admin:
        return Verdict("admin_account")
    profile = account.profile
    if profile is None:
        return Verdict("unknown_user")
    local = at.astimezone(zone)
    today = local.date()
    if today < profile.valid_from:
        return Verdict("not_yet_valid")
    if today > profile.valid_until:
        return Verdict("expired")
    if mac is None or mac not in profile.macs:
        return Verdict("mac_not_registered")
    if terminal not in profile.terminals:
        return Verdict("terminal_not_assigned")
    if profile.hours is not None and not profile.hours.admits(local):
        return Verdict("outside_hours")
    return ALLOWED
