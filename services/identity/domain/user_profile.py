"""The fields of a user's access profile (SPEC U1), checked and normalised one by one.

Each ``check_*`` returns the field's normal form or raises a ``DomainError`` naming the
field with a stable code. ``read_profile`` runs them all and collects every problem, so
a form and a CSV row both learn everything wrong at once. Normal forms are fixed points
(checking a normalised value returns it unchanged): that is what makes a re-import of an
export change nothing. Nothing here reads the clock: ``today`` is passed in.
"""

import re
import unicodedata
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TypeVar
from zoneinfo import ZoneInfo

from libs.events.catalogue.users import AccessHours, FileShare, UserProfile
from libs.runtime.refusals import DomainError, FieldProblem
from libs.text.hidden import HIDDEN_CATEGORIES
from services.identity.contract.limits import FILE_SHARE_CODES as FILE_SHARES
from services.identity.contract.limits import MAC_PATTERN
from services.identity.contract.limits import USER_EMAIL_MAX as EMAIL_MAX
from services.identity.contract.limits import USER_MACS_MAX as MACS_MAX
from services.identity.contract.limits import USER_NAME_MAX as NAME_MAX
from services.identity.domain.errors import field_problem, rejected

T = TypeVar("T")

VALIDITY_YEARS = 2

_DATE = re.compile(r"^([0-9]{4})([/-])([0-9]{1,2})\2([0-9]{1,2})$")
_CLOCK = re.compile(r"^([0-9]{1,2}):([0-9]{2})$")
_MAC = re.compile(MAC_PATTERN)
# Local part: RFC 5322 dot-atom characters, no leading, trailing or doubled dot.
# Domain: dot-separated DNS labels with a letters-only top level.
_EMAIL = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)
# Control and format characters, refused in every shown text (libs/text), and surrogate,
# private-use and unassigned code points, and line or paragraph separators: none belongs
# in a name shown on a screen or in a CSV cell.
NOT_IN_NAMES = HIDDEN_CATEGORIES | frozenset({"Cs", "Co", "Cn", "Zl", "Zp"})


def _fail(field: str, code: str, detail: str = "") -> DomainError:
    return rejected([field_problem(field, code, detail)])


def today_in(time_zone: str, now: datetime) -> date:
    """The calendar day it is at ``now`` in the facility's time zone."""
    return now.astimezone(ZoneInfo(time_zone)).date()


def latest_valid_until(today: date) -> date:
    """Today + 2 years, the last 有効終了日 an admin may set (29 February → 28 February)."""
    try:
        return today.replace(year=today.year + VALIDITY_YEARS)
    except ValueError:
        return today.replace(year=today.year + VALIDITY_YEARS, day=28)


def _name_part(value: str, field: str) -> str:
    text = unicodedata.normalize("NFC", value).strip()
    if any(unicodedata.category(ch) in NOT_IN_NAMES for ch in text):
        raise _fail(field, "user_name_invalid")
    return text


def check_family_name(value: str) -> str:
    """姓: required, printable, NFC, without surrounding spaces."""
    text = _name_part(value, "family_name")
    if not text:
        raise _fail("family_name", "family_name_required")
    return text


def check_given_name(value: str) -> str:
    """名: optional, printable, NFC, without surrounding spaces."""
    return _name_part(value, "given_name")


def check_name_length(family_name: str, given_name: str) -> None:
    """姓 and 名 together at most 64 characters (the space shown between them not counted)."""
    if len(family_name) + len(given_name) > NAME_MAX:
        raise _fail("family_name", "user_name_too_long")


def check_email(value: str) -> str:
    """メールアドレス: required, at most 64 characters, a plausible address; not unique."""
    text = value.strip()
    if not text:
        raise _fail("email", "email_required")
    if len(text) > EMAIL_MAX:
        raise _fail("email", "email_too_long")
    if not _EMAIL.fullmatch(text):
        raise _fail("email", "email_invalid")
    return text


def parse_date(value: str) -> date | None:
    """``yyyy/mm/dd``, ``yyyy/m/d`` or ``yyyy-mm-dd`` (one separator throughout); else None."""
    match = _DATE.fullmatch(value.strip())
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[3]), int(match[4]))
    except ValueError:
        return None


def check_date(value: str | date, field: str) -> date:
    """A required date field (有効開始日 / 有効終了日)."""
    if isinstance(value, date):
        return value
    parsed = parse_date(value)
    if parsed is None:
        raise _fail(field, f"{field}_invalid")
    return parsed


def check_validity(valid_from: date, valid_until: date, today: date) -> None:
    """有効開始日 ≤ 有効終了日 ≤ today + 2 years (facility time zone)."""
    if valid_until < valid_from:
        raise _fail("valid_until", "valid_until_before_start")
    if valid_until > latest_valid_until(today):
        raise _fail("valid_until", "valid_until_too_late")


def normalise_mac(value: str) -> str | None:
    """``AA:BB:CC:DD:EE:FF`` from any of the three accepted forms in any case; else None."""
    text = value.strip()
    if not _MAC.fullmatch(text):
        return None
    digits = re.sub("[-:]", "", text).upper()
    return ":".join(digits[i : i + 2] for i in range(0, 12, 2))


def check_macs(values: Sequence[str]) -> tuple[str, ...]:
    """0–20 MAC addresses, normalised, in the order given, none twice."""
    macs: list[str] = []
    bad = [value for value in values if normalise_mac(value) is None]
    if bad:
        raise _fail("macs", "mac_invalid", "、".join(v.strip() for v in bad))
    for value in values:
        mac = normalise_mac(value)
        assert mac is not None
        if mac in macs:
            raise _fail("macs", "mac_duplicate", mac)
        macs.append(mac)
    if len(macs) > MACS_MAX:
        raise _fail("macs", "mac_too_many")
    return tuple(macs)


def _minutes(value: str) -> int | None:
    match = _CLOCK.fullmatch(value.strip())
    if not match:
        return None
    hours, minutes = int(match[1]), int(match[2])
    if minutes >= 60:
        return None
    return hours * 60 + minutes


def format_clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def check_hours(start: str, end: str) -> AccessHours | None:
    """接続利用可能時間: both empty = 常に許可 (None); else 30-minute steps, start ≠ end.

    Start 00:00–23:30, end 00:30–24:00, ``H:MM`` or ``HH:MM``; an end before the start
    crosses midnight.
    """
    start, end = start.strip(), end.strip()
    if not start and not end:
        return None
    first, last = _minutes(start), _minutes(end)
    problems = []
    if not start:
        problems.append(field_problem("hours_start", "hours_incomplete"))
    elif first is None or first % 30 or not 0 <= first <= 23 * 60 + 30:
        problems.append(field_problem("hours_start", "hours_start_invalid"))
    if not end:
        problems.append(field_problem("hours_end", "hours_incomplete"))
    elif last is None or last % 30 or not 30 <= last <= 24 * 60:
        problems.append(field_problem("hours_end", "hours_end_invalid"))
    if problems:
        raise rejected(problems)
    assert first is not None and last is not None
    if first == last:
        raise _fail("hours_end", "hours_same")
    return AccessHours(start=format_clock(first), end=format_clock(last))


def check_file_share(value: str) -> FileShare:
    """ファイル共有権限: always | approval | deny."""
    if value not in FILE_SHARES:
        raise _fail("file_share", "file_share_invalid")
    return value


def check_federation_targets(
    values: Collection[str], catalogue: Collection[str], retired: Collection[str] = ()
) -> tuple[str, ...]:
    """認証連携先: names of ``catalogue`` only (an empty catalogue allows none).

    ``catalogue`` is what this user may have: the facility's current targets and the
    retired ones it already holds (``CatalogueState.allowed_for``). Any other retired
    target (``retired``) is refused with its own code, so the admin learns why.
    """
    chosen = {value.strip() for value in values if value.strip()}
    refused = sorted(chosen - set(catalogue))
    if not refused:
        return tuple(sorted(chosen))
    unknown = [name for name in refused if name not in retired]
    gone = [name for name in refused if name in retired]
    problems = []
    if unknown:
        problems.append(
            field_problem("federation_targets", "federation_target_unknown", "、".join(unknown))
        )
    if gone:
        problems.append(
            field_problem("federation_targets", "federation_target_retired", "、".join(gone))
        )
    raise rejected(problems)


def check_terminals(ids: Collection[str], known: Mapping[str, str]) -> frozenset[str]:
    """接続端末: terminal ids of the facility (``known`` maps id → name of live terminals)."""
    unknown = sorted(set(ids) - set(known))
    if unknown:
        raise _fail("terminals", "terminal_unknown", "、".join(unknown))
    return frozenset(ids)


@dataclass(frozen=True)
class ProfileDraft:
    """A profile as typed into the form or a CSV row, before any check."""

    family_name: str
    given_name: str
    email: str
    valid_from: str | date
    valid_until: str | date
    macs: Sequence[str] = ()
    hours_start: str = ""
    hours_end: str = ""
    file_share: str = "deny"
    federation_targets: Sequence[str] = ()


@dataclass
class Problems:
    """Every field problem found so far; ``check`` runs one validator and keeps its refusal."""

    items: list[FieldProblem] = field(default_factory=list)

    def check(self, validator: Callable[..., T], *args: object) -> T | None:
        try:
            return validator(*args)
        except DomainError as error:
            self.items.extend(error.errors)
            return None

    def add(self, problem: FieldProblem) -> None:
        self.items.append(problem)

    def raise_any(self) -> None:
        if self.items:
            raise rejected(self.items)


def read_profile(
    draft: ProfileDraft,
    *,
    today: date,
    federation_catalogue: Collection[str],
    problems: Problems,
    retired_targets: Collection[str] = (),
) -> UserProfile | None:
    """The checked profile, or None with every problem added to ``problems``.

    ``federation_catalogue`` and ``retired_targets`` as for ``check_federation_targets``.
    """
    found = len(problems.items)
    family = problems.check(check_family_name, draft.family_name)
    given = problems.check(check_given_name, draft.given_name)
    if family is not None and given is not None:
        problems.check(check_name_length, family, given)
    email = problems.check(check_email, draft.email)
    valid_from = problems.check(check_date, draft.valid_from, "valid_from")
    valid_until = problems.check(check_date, draft.valid_until, "valid_until")
    if valid_from is not None and valid_until is not None:
        problems.check(check_validity, valid_from, valid_until, today)
    macs = problems.check(check_macs, draft.macs)
    hours = problems.check(check_hours, draft.hours_start, draft.hours_end)
    file_share = problems.check(check_file_share, draft.file_share)
    targets = problems.check(
        check_federation_targets, draft.federation_targets, federation_catalogue, retired_targets
    )
    if len(problems.items) > found:
        return None
    assert family is not None and given is not None and email is not None
    assert valid_from is not None and valid_until is not None and macs is not None
    assert file_share is not None and targets is not None
    return UserProfile(
        family_name=family,
        given_name=given,
        email=email,
        valid_from=valid_from,
        valid_until=valid_until,
        macs=macs,
        hours=hours,
        file_share=file_share,
        federation_targets=targets,
    )


def check_profile(
    draft: ProfileDraft, *, today: date, federation_catalogue: Collection[str]
) -> UserProfile:
    """The checked profile; raise one error listing every problem."""
    problems = Problems()
    profile = read_profile(
        draft, today=today, federation_catalogue=federation_catalogue, problems=problems
    )
    problems.raise_any()
    assert profile is not None
    return profile
