"""identity's row of a facility's settings (SPEC T1, issue 15): read for a change, under
a lock that serialises operators changing the same facility, and brought in line with
``FacilitySettingsChanged`` in the command's transaction."""

from typing import Any

from libs.events.catalogue.identity import FacilitySettingsChanged
from libs.events.envelope import Envelope
from libs.postgres.connection import Connection
from services.identity.app.facility_settings import LockedFacility
from services.identity.domain.facility import FacilitySettings

_LOCK_CLASS = 0x5173
"""Advisory lock class of a facility's settings (credentials' accounts use 0x5167)."""


async def lock_facility(conn: Connection, code: str) -> LockedFacility | None:
    """The facility's settings, its row locked until the transaction ends (None: missing).

    The version comes from the event log, like an account's: the facility's password
    expiry and catalogue events advance it too. The lock is advisory: a row lock would
    be a write, and events must be the transaction's first (``libs.events.store``).
    """
    await conn.execute("SELECT pg_advisory_xact_lock($1, hashtext($2))", _LOCK_CLASS, code)
    row = await conn.fetchrow(
        """SELECT facility_id, name, time_zone, download_period_months, internal_networks,
                  notification_addresses, password_max_age_days
           FROM facilities WHERE code = $1""",
        code,
    )
    if row is None:
        return None
    version = await conn.fetchval(
        "SELECT coalesce(max(version), 0) FROM events WHERE aggregate_id = $1",
        row["facility_id"],
    )
    return LockedFacility(
        row["facility_id"],
        int(version),
        FacilitySettings(
            name=row["name"],
            time_zone=row["time_zone"],
            download_period_months=row["download_period_months"],
            internal_networks=tuple(row["internal_networks"]),
            notification_addresses=tuple(row["notification_addresses"]),
            password_max_age_days=row["password_max_age_days"],
        ),
    )


async def apply_settings_changed(conn: Connection, envelope: Envelope) -> None:
    """Each setting the event carries replaces the row's; the others stay."""
    data = envelope.data
    assert isinstance(data, FacilitySettingsChanged)
    await conn.execute(
        """UPDATE facilities SET version = $2,
               name = coalesce($3, name),
               time_zone = coalesce($4, time_zone),
               download_period_months = coalesce($5, download_period_months),
               internal_networks = coalesce($6, internal_networks),
               notification_addresses = coalesce($7, notification_addresses)
           WHERE facility_id = $1""",
        envelope.aggregate_id,
        envelope.version,
        data.name,
        data.time_zone,
        data.download_period_months,
        None if data.internal_networks is None else list(data.internal_networks),
        None if data.notification_addresses is None else list(data.notification_addresses),
    )


async def read_facility(conn: Connection, code: str) -> dict[str, Any] | None:
    """Every setting of facility ``code`` as stored (lists as lists, the 認証連携先 as
    ``{name, retired}`` by name), or None: missing."""
    row = await conn.fetchrow(
        """SELECT facility_id, code, name, domain, time_zone, download_period_months,
                  internal_networks, notification_addresses,
                  f.password_max_age_days
           FROM facilities f WHERE code = $1""",
        code,
    )
    if row is None:
        return None
    targets = await conn.fetch(
        """SELECT target AS name, retired FROM facility_federation_targets
           WHERE facility_id = $1 ORDER BY target""",
        row["facility_id"],
    )
    lists = ("internal_networks", "notification_addresses")
    return {
        **dict(row),
        **{name: list(row[name]) for name in lists},
        "federation_targets": [dict(target) for target in targets],
    }
