"""terminals' projections of other services' events."""

from collections.abc import Sequence

from libs.events.catalogue import Event
from libs.events.catalogue.identity import AdminCreated, FacilityRegistered
from libs.events.envelope import Envelope
from libs.postgres.connection import Connection


class Directory:
    """Facilities and accounts as terminals needs them for connection decisions (SPEC C1).

    Admins are kept so that an admin's connection attempt is refused as an admin's
    (reason ``admin_account``), not as an unknown account.
    """

    name = "terminals_directory"
    events: Sequence[type[Event]] = (FacilityRegistered, AdminCreated)
    tables: Sequence[str] = ("facilities", "accounts")

    async def apply(self, conn: Connection, envelope: Envelope) -> None:
        data = envelope.data
        if isinstance(data, FacilityRegistered):
            await conn.execute(
                """INSERT INTO facilities (facility_id, code, name, time_zone)
                   VALUES ($1, $2, $3, $4)
                   ON CONFLICT (facility_id) DO UPDATE
                   SET code = EXCLUDED.code, name = EXCLUDED.name, time_zone = EXCLUDED.time_zone""",
                envelope.aggregate_id,
                data.code,
                data.name,
                data.time_zone,
            )
        elif isinstance(data, AdminCreated):
            await conn.execute(
                """INSERT INTO accounts (account_id, facility_code, account_key, is_admin)
                   VALUES ($1, $2, lower($3), true)
                   ON CONFLICT (account_id) DO UPDATE SET account_key = EXCLUDED.account_key""",
                envelope.aggregate_id,
                envelope.facility,
                data.account,
            )


PROJECTIONS = (Directory(),)
