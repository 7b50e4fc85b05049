"""How a 「フィルターを追加」 value on one column becomes an SQL condition (SPEC A4).

Each column matches in the way that fits it: free text by partial match ignoring case,
coded values by equality (the code or its Japanese label), times by a prefix of the
shown time (a day, an hour, a minute) in the facility's time zone, sizes by a lower bound.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from services.audit.domain.sql_text import Params

LOG_YEARS = range(1970, 3000)
"""The years a log's period or time filter may name: far wider than any log is kept, far
from the ends of Python's calendar (year 9999's next day overflows)."""


class BadFilterValue(ValueError):
    """The value cannot be matched against the column (e.g. not a time)."""


def like_pattern(value: str) -> str:
    """``%value%`` with the LIKE wildcards in ``value`` taken literally."""
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _pattern(params: Params, value: str) -> str:
    """The placeholder of ``value``'s LIKE pattern; an empty value matches nothing."""
    if not value:
        raise BadFilterValue(value)
    return params.add(like_pattern(value))


@dataclass(frozen=True)
class Partial:
    """Free text: the column contains the value, ignoring case."""

    column: str

    def condition(self, params: Params, value: str, tz: ZoneInfo) -> str:
        del tz
        return f"{self.column} ILIKE {_pattern(params, value)}"


@dataclass(frozen=True)
class AnyPartial:
    """A list of texts (file names): one of them contains the value, ignoring case."""

    column: str

    def condition(self, params: Params, value: str, tz: ZoneInfo) -> str:
        del tz
        return (
            f"EXISTS (SELECT 1 FROM unnest({self.column}) AS item"
            f" WHERE item ILIKE {_pattern(params, value)})"
        )


@dataclass(frozen=True)
class Choice:
    """A coded value: equal to one option, named by its code or its label.

    ``options`` maps each accepted word (code or label, compared ignoring case) to an SQL
    condition whose ``{}`` takes the code as a parameter.
    """

    options: Mapping[str, tuple[str, str]]

    @classmethod
    def of(cls, column: str, labels: Mapping[str, str]) -> "Choice":
        """Equality on ``column``, accepting each code or its label."""
        options: dict[str, tuple[str, str]] = {}
        for code, label in labels.items():
            options[code.lower()] = (f"{column} = {{}}", code)
            options[label.lower()] = (f"{column} = {{}}", code)
        return cls(options)

    def with_options(self, extra: Mapping[str, tuple[str, str]]) -> "Choice":
        return Choice({**self.options, **{k.lower(): v for k, v in extra.items()}})

    def condition(self, params: Params, value: str, tz: ZoneInfo) -> str:
        del tz
        try:
            template, code = self.options[value.strip().lower()]
        except KeyError:
            raise BadFilterValue(value) from None
        return template.format(params.add(code))


_TIME = re.compile(
    r"^(\d{4})[/-](\d{1,2})[/-](\d{1,2})(?:[ T](\d{1,2})(?::(\d{1,2})(?::(\d{1,2}))?)?)?$"
)


def time_prefix(value: str, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The instants a shown time starting with ``value`` covers: [start, end)."""
    match = _TIME.match(value.strip())
    if match is None:
        raise BadFilterValue(value)
    parts = [int(p) for p in match.groups() if p is not None]
    year, month, day, *clock = parts
    hour, minute, second = (*clock, 0, 0, 0)[:3]
    if year not in LOG_YEARS:  # the calendar's ends overflow in arithmetic or in UTC
        raise BadFilterValue(value)
    try:
        start = datetime(year, month, day, hour, minute, second, tzinfo=tz)
    except ValueError as error:
        raise BadFilterValue(value) from error
    unit = (timedelta(days=1), timedelta(hours=1), timedelta(minutes=1), timedelta(seconds=1))
    # Wall-clock arithmetic first, then to UTC: a day is a calendar day even across DST.
    end = start + unit[len(parts) - 3]
    return start, end


@dataclass(frozen=True)
class TimePrefix:
    """A time: the shown time begins with the value (``2025/03/24``, ``2025/03/24 17:19``)."""

    column: str

    def condition(self, params: Params, value: str, tz: ZoneInfo) -> str:
        start, end = time_prefix(value, tz)
        return f"({self.column} >= {params.add(start)} AND {self.column} < {params.add(end)})"


_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(B|KB|MB|GB)?\s*$", re.IGNORECASE)
_UNITS = {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3}


@dataclass(frozen=True)
class AtLeastBytes:
    """A size: at least the value (``500``, ``1.5 KB``, ``2MB``)."""

    column: str

    def condition(self, params: Params, value: str, tz: ZoneInfo) -> str:
        del tz
        match = _SIZE.match(value)
        if match is None:
            raise BadFilterValue(value)
        unit = _UNITS[(match[2] or "B").upper()]
        return f"{self.column} >= {params.add(round(float(match[1]) * unit))}"


Match = Partial | AnyPartial | Choice | TimePrefix | AtLeastBytes
