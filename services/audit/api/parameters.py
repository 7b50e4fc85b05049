"""What audit's routes take besides their path: a log's query, pages, files (SPEC A3–A5)."""

from datetime import datetime
from typing import Annotated
from urllib.parse import quote

from litestar.params import HeaderParameter, QueryParameter

from libs.runtime.app import CONSISTENCY_HEADER
from libs.runtime.guards import acts_in_path_facility
from libs.runtime.problems import NotFound
from services.audit.contract import ExportRequest

FACILITY_GUARDS = (acts_in_path_facility("admin", "operator", not_found=NotFound),)
"""A facility's admins and operators; another facility's answers 404 as a missing one (T3)."""

CSV_TYPE = "text/csv"  # Litestar adds "; charset=utf-8" to text types

Period = Annotated[str, QueryParameter(description="7d (default) | 24h | custom")]
DayFrom = Annotated[
    str | None, QueryParameter(name="from", description="カスタム期間 FROM, yyyy/mm/dd")
]
DayTo = Annotated[str | None, QueryParameter(name="to", description="カスタム期間 TO, yyyy/mm/dd")]
Consistency = Annotated[
    str | None,
    HeaderParameter(name=CONSISTENCY_HEADER, description="event id to wait for (read-your-writes)"),
]
Filters = Annotated[
    list[str] | None,
    QueryParameter(name="filter", description="<column>:<value>, repeatable (AND)"),
]
Limit = Annotated[int, QueryParameter(ge=1, le=200)]


def current_query(
    period: Period = "7d",
    day_from: DayFrom = None,
    day_to: DayTo = None,
    filters: Filters = None,
) -> ExportRequest:
    """The period and filters a log's page and its CSV repeat (as an export takes them)."""
    return ExportRequest(period=period, day_from=day_from, day_to=day_to, filters=filters or [])


def attachment(label: str, stamp: datetime, log: str) -> str:
    """``Content-Disposition`` of a log's CSV made at ``stamp`` (the facility's time)."""
    local = stamp.strftime("%Y%m%d%H%M%S")
    ascii_name = f"audit-{log}-{local}.csv"
    return (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(f'{label}_{local}.csv')}"
    )
