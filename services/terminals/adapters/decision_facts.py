"""What the projection knows for connection decisions, read for many decisions at once.

Decisions that arrive together share one query (``batching.py``); each row of the answer
is one decision's facts, read in the same snapshot as the others.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import asyncpg

from services.terminals.adapters.batching import Batcher
from services.terminals.domain.decision import AccessProfile, Account, Facts, Hours

DEFAULT_ZONE = "Asia/Tokyo"
"""A facility's time zone until its FacilityRegistered is projected (SPEC T1's default)."""


@dataclass(frozen=True)
class Question:
    facility: str
    account: str
    terminal_id: str


_FACTS = """
SELECT
    EXISTS (SELECT 1 FROM terminals t
            WHERE t.terminal_id = q.terminal_id AND t.facility = q.facility
              AND t.deleted_at IS NULL) AS terminal_known,
    (SELECT f.time_zone FROM facilities f WHERE f.code = q.facility LIMIT 1) AS time_zone,
    EXISTS (SELECT 1 FROM accounts a
            WHERE a.account_key = lower(q.account) AND a.facility_code = q.facility
              AND a.is_admin) AS admin,
    u.user_id, u.valid_from, u.valid_until, u.macs, u.hours_start, u.hours_end,
    EXISTS (SELECT 1 FROM access_assignments s
            WHERE s.user_id = u.user_id AND s.terminal_id = q.terminal_id AND s.assigned)
        AS assigned
FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY
     AS q(facility, account, terminal_id, n)
LEFT JOIN LATERAL (
    SELECT * FROM access_users u
    WHERE u.account_key = lower(q.account) AND u.facility = q.facility
      AND NOT u.deleted AND u.profile_version IS NOT NULL
    LIMIT 1
) AS u ON true
ORDER BY q.n
"""


def _zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or DEFAULT_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_ZONE)


def _facts(row: asyncpg.Record, terminal_id: str) -> Facts:
    profile = None
    if row["user_id"] is not None:
        hours = None
        if row["hours_start"] is not None and row["hours_end"] is not None:
            hours = Hours(row["hours_start"], row["hours_end"])
        profile = AccessProfile(
            valid_from=row["valid_from"],
            valid_until=row["valid_until"],
            macs=frozenset(row["macs"]),
            hours=hours,
            terminals=frozenset({terminal_id}) if row["assigned"] else frozenset(),
        )
    return Facts(
        terminal_known=row["terminal_known"],
        account=Account(admin=row["admin"], profile=profile),
        zone=_zone(row["time_zone"]),
    )


class DecisionFacts:
    """Reads the facts of concurrent decisions in one query."""

    def __init__(self, max_batch: int = 200) -> None:
        self._pool: asyncpg.Pool | None = None
        self._batcher: Batcher[Question, Facts] = Batcher("decision-facts", self._read, max_batch)

    def start(self, pool: asyncpg.Pool) -> None:
        self._pool = pool
        self._batcher.start()

    async def stop(self) -> None:
        await self._batcher.stop()

    async def read(self, facility: str, account: str, terminal_id: str) -> Facts:
        """The terminal's, the facility's and the account's facts for ``decide``."""
        return await self._batcher.submit(Question(facility, account, terminal_id))

    async def _read(self, questions: Sequence[Question]) -> list[Facts]:
        assert self._pool is not None
        rows = await self._pool.fetch(
            _FACTS,
            [q.facility for q in questions],
            [q.account for q in questions],
            [q.terminal_id for q in questions],
        )
        return [_facts(row, q.terminal_id) for row, q in zip(rows, questions, strict=True)]
