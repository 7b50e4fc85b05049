"""A log's period (SPEC A3): 過去7日間, 過去24時間 or カスタム期間 in the facility's calendar."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from libs.runtime.refusals import DomainError, FieldProblem
from services.audit.domain.filters import LOG_YEARS
from services.audit.messages import message

DEFAULT_TIME_ZONE = "Asia/Tokyo"


class InvalidQuery(DomainError):
    """The period, a filter or the cursor cannot be understood: 400 naming the field."""

    def __init__(self, code: str, field: str) -> None:
        super().__init__(
            code, message(code), errors=(FieldProblem(field, code, message(code)),), status=400
        )


@dataclass(frozen=True)
class Period:
    """An instant range [start, end); ``end`` None is open (a preset, up to now and on)."""

    preset: str
    start: datetime
    end: datetime | None


def parse_day(text: str, field: str) -> date:
    """``yyyy/mm/dd`` (as the screen shows it) or ``yyyy-mm-dd``, in LOG_YEARS."""
    try:
        day = date.fromisoformat(text.strip().replace("/", "-"))
    except ValueError:
        pieces = text.strip().replace("-", "/").split("/")
        try:
            year, month, number = (int(p) for p in pieces)
            day = date(year, month, number)
        except ValueError:
            raise InvalidQuery("period_date_invalid", field) from None
    if day.year not in LOG_YEARS:
        # Year 9999's next midnight overflowed, year 1's UTC did: a 500 for a typo (issue 16).
        raise InvalidQuery("period_date_out_of_range", field)
    return day


def resolve_period(
    preset: str, day_from: str | None, day_to: str | None, tz: ZoneInfo, now: datetime
) -> Period:
    """過去7日間 (default), 過去24時間, or カスタム期間: FROM 00:00 to the end of TO, in ``tz``."""
    if preset == "7d":
        return Period(preset, now - timedelta(days=7), None)
    if preset == "24h":
        return Period(preset, now - timedelta(hours=24), None)
    if preset != "custom":
        raise InvalidQuery("period_invalid", "period")
    if not day_from or not day_to:
        raise InvalidQuery("period_dates_required", "from" if not day_from else "to")
    first, last = parse_day(day_from, "from"), parse_day(day_to, "to")
    if first > last:
        raise InvalidQuery("period_order", "from")
    # Midnights of the facility's calendar: TO's whole day is in, the next day's 00:00 is not.
    start = datetime.combine(first, time(0), tzinfo=tz)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=tz)
    return Period(preset, start, end)


def time_zone(name: str | None) -> ZoneInfo:
    """The zone ``name``; Asia/Tokyo (T1's default) when unknown or not named."""
    try:
        return ZoneInfo(name or DEFAULT_TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIME_ZONE)
