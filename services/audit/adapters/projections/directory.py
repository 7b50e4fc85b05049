"""audit's directory: facilities' time zones and every name accounts and terminals had.

Log rows take the name valid at their own time from here when they are written; later
renames add a row here and never touch them. Streams are not ordered with each other, so
a log row may be written before the directory knows its name: it keeps what it knew.
"""

from collections.abc import Sequence

from libs.events.catalogue import Event
from libs.events.catalogue.identity import (
    AdminCreated,
    FacilityRegistered,
    FacilitySettingsChanged,
)
from libs.events.catalogue.terminals import TerminalCreated, TerminalRenamed
from libs.events.catalogue.users import UserCreated, UserUpdated
from libs.events.envelope import Envelope
from libs.postgres.connection import Connection
from libs.postgres.versioned_rows import Versioned, VersionedRows

_NAME_FIELDS = {"family_name", "given_name"}


def user_name(family_name: str, given_name: str) -> str:
    """ユーザー名 as shown: ``姓 名`` (SPEC U1)."""
    return f"{family_name} {given_name}".strip()


def account_name_at(account_id: str, at: str) -> str:
    """SQL for the display name account ``account_id`` had at ``at`` (NULL when unknown).

    The name valid then; failing that (the name came later than the row's time), the
    first name the account had.
    """
    return f"""(SELECT a.display_name FROM account_names a WHERE a.account_id = {account_id}
               ORDER BY (a.valid_from <= {at}) DESC,
                        CASE WHEN a.valid_from <= {at} THEN a.valid_from END DESC NULLS LAST,
                        a.valid_from, a.event_id LIMIT 1)"""


def account_name_by_account_at(account: str, at: str) -> str:
    """SQL for the display name of the account spelt ``account`` (any case) at ``at``."""
    return f"""(SELECT a.display_name FROM account_names a WHERE lower(a.account) = lower({account})
               ORDER BY (a.valid_from <= {at}) DESC,
                        CASE WHEN a.valid_from <= {at} THEN a.valid_from END DESC NULLS LAST,
                        a.valid_from, a.event_id LIMIT 1)"""


def terminal_name_at(terminal_id: str, at: str) -> str:
    """SQL for the name terminal ``terminal_id`` had at ``at`` (NULL when unknown)."""
    return f"""(SELECT t.name FROM terminal_names t WHERE t.terminal_id = {terminal_id}
               ORDER BY (t.valid_from <= {at}) DESC,
                        CASE WHEN t.valid_from <= {at} THEN t.valid_from END DESC NULLS LAST,
                        t.valid_from, t.event_id LIMIT 1)"""


_FACILITIES = VersionedRows(
    "facilities",
    ["code", "facility_id"],
    [
        Versioned("time_zone", "'Asia/Tokyo'"),
        Versioned("download_period_months", "3", version="download_period_version"),
    ],
)
"""A facility's registration or settings change: each setting the event carries (None:
unchanged) replaces the row's only if the event is newer than what the row reflects;
until its registration is seen, T1's defaults stand in (version 0, replaced by any)."""


class Directory:
    """Facilities (for their time zone) and the names of accounts and terminals over time."""

    name = "audit_directory"
    events: Sequence[type[Event]] = (
        FacilityRegistered,
        FacilitySettingsChanged,
        AdminCreated,
        UserCreated,
        UserUpdated,
        TerminalCreated,
        TerminalRenamed,
    )
    tables: Sequence[str] = ("facilities", "account_names", "terminal_names")

    async def apply(self, conn: Connection, envelope: Envelope) -> None:
        data = envelope.data
        if isinstance(data, FacilityRegistered | FacilitySettingsChanged):
            # Log periods and CSV times are in the zone the facility has now (T1).
            await _FACILITIES.write(
                conn,
                envelope.version,
                data.code,
                envelope.aggregate_id,
                data.time_zone,
                data.download_period_months,
            )
        elif isinstance(data, AdminCreated):
            # The admin's own name (氏名) once it has one; before that, its name part.
            name = data.display_name or data.name
            await self._account(conn, envelope, data.account, name, "admin")
        elif isinstance(data, UserCreated):
            name = user_name(data.profile.family_name, data.profile.given_name)
            await self._account(conn, envelope, data.account, name, "user")
        elif isinstance(data, UserUpdated):
            if _NAME_FIELDS & set(data.changed):
                name = user_name(data.profile.family_name, data.profile.given_name)
                await self._account(conn, envelope, data.account, name, "user")
        elif isinstance(data, TerminalCreated | TerminalRenamed):
            await conn.execute(
                """INSERT INTO terminal_names (terminal_id, valid_from, event_id, facility, name)
                   VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING""",
                envelope.aggregate_id,
                envelope.occurred_at,
                envelope.event_id,
                envelope.facility,
                data.name,
            )

    async def _account(
        self, conn: Connection, envelope: Envelope, account: str, display_name: str, kind: str
    ) -> None:
        await conn.execute(
            """INSERT INTO account_names
                   (account_id, valid_from, event_id, facility, account, display_name, kind)
               VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING""",
            envelope.aggregate_id,
            envelope.occurred_at,
            envelope.event_id,
            envelope.facility,
            account,
            display_name,
            kind,
        )
