"""Reading the logs (SPEC A3–A6): a page, the CSV of the current query, and 操作ログ's newest.

The use cases behind 「ログ参照」's routes, over the ``LogReads`` port; every read is of the
facility the route names, which its guards have checked the caller may see.
"""

import uuid
from datetime import datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from libs.events.clock import Clock
from libs.runtime.problems import NotFound
from services.audit import messages as m
from services.audit.contract import ColumnOut, ExportRequest, LogPage, PeriodOut
from services.audit.domain.logs import LOGS
from services.audit.domain.periods import resolve_period
from services.audit.domain.queries import Page, Query, parse_filters
from services.audit.domain.rows import log_row
from services.audit.settings import AuditOwn


class LogReads(Protocol):
    """Where the logs are read from (``adapters.log_reads``)."""

    async def time_zone(self, facility: str) -> ZoneInfo: ...

    async def page(
        self, query: Query, limit: int, cursor: str | None, count_up_to: int | None
    ) -> Page: ...

    async def csv(self, query: Query, limit: int) -> tuple[bytes, int, bool]: ...

    async def wait_for(self, event_id: str, projection: str, timeout_s: float) -> None: ...

    async def recent_operations(self, facility: str, limit: int) -> list[dict[str, Any]]: ...


class LogQueries:
    """The queries of 「ログ参照」, for one facility at a time."""

    def __init__(self, reads: LogReads, own: AuditOwn, clock: Clock, wait_s: float) -> None:
        """``wait_s``: how long a read waits for the event its consistency token names."""
        self._reads = reads
        self._own = own
        self._clock = clock
        self._wait_s = wait_s

    async def query(self, facility: str, log: str, wanted: ExportRequest) -> Query:
        """The query of ``log`` a request names (its period and filters, as an export keeps
        them): 404 for an unknown log, 400 for a bad period or filter."""
        spec = LOGS.get(log)
        if spec is None:
            raise NotFound("log_not_found", m.message("log_not_found"))
        tz = await self._reads.time_zone(facility)
        return Query(
            spec=spec,
            facility=facility,
            tz=tz,
            period=resolve_period(wanted.period, wanted.day_from, wanted.day_to, tz, self._clock()),
            filters=tuple(parse_filters(spec, wanted.filters)),
        )

    def now(self) -> datetime:
        return self._clock()

    async def local_time(self, facility: str, instant: datetime) -> datetime:
        """``instant`` in the facility's time zone (a file's name says its local time)."""
        return instant.astimezone(await self._reads.time_zone(facility))

    async def settle(self, token: str | None, projection: str) -> None:
        """Read-your-writes: wait (bounded) until the projection read from has the token's
        event. The app's own wait stops at the first projection that has it; audit's
        directory may be ahead of the log asked for."""
        if not token:
            return
        try:
            uuid.UUID(token)
        except ValueError:
            return  # names no event: nothing to wait for, as the app's own wait does
        await self._reads.wait_for(token, projection, self._wait_s)

    async def page(
        self, query: Query, limit: int, cursor: str | None, consistency: str | None
    ) -> LogPage:
        """One page, newest first; the first also says whether the CSV would be cut (A5)."""
        await self.settle(consistency, query.spec.projection)
        csv_max = self._own.csv_max_rows
        page = await self._reads.page(query, limit, cursor, csv_max if cursor is None else None)
        now = self._clock()
        return LogPage(
            log=query.spec.key,
            label=query.spec.label,
            time_zone=query.tz.key,
            period=PeriodOut(
                preset=query.period.preset,
                label=m.PERIOD_LABELS[query.period.preset],
                start=query.period.start,
                end=query.period.end,
            ),
            columns=[ColumnOut(key=c.key, label=c.label) for c in query.spec.columns],
            rows=[
                log_row(query.spec.key, record, cells, now)
                for record, cells in zip(page.rows, page.cells, strict=True)
            ],
            next_cursor=page.next_cursor,
            csv_limit=csv_max,
            more_than_csv_limit=page.beyond,
        )

    async def csv(self, query: Query) -> tuple[bytes, int, bool]:
        """「CSV出力」: at most ``csv_max_rows`` rows, their count, and whether more matched."""
        return await self._reads.csv(query, self._own.csv_max_rows)

    async def recent_operations(
        self, facility: str, limit: int, consistency: str | None
    ) -> list[dict[str, Any]]:
        """操作ログ's newest rows, unpaged (the early callers' route)."""
        await self.settle(consistency, LOGS["operations"].projection)
        return await self._reads.recent_operations(facility, limit)
