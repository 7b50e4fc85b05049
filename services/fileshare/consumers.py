"""fileshare's projections of other services' events."""

from collections.abc import Sequence

from libs.events.catalogue import Event
from libs.events.catalogue.identity import FacilityRegistered
from libs.events.envelope import Envelope
from libs.postgres.connection import Connection


class FacilityPolicies:
    """Each facility's internal networks (SPEC F2 院内外) and download period (F7)."""

    name = "fileshare_facilities"
    events: Sequence[type[Event]] = (FacilityRegistered,)
    tables: Sequence[str] = ("facility_policies",)

    async def apply(self, conn: Connection, envelope: Envelope) -> None:
        data = envelope.data
        if isinstance(data, FacilityRegistered):
            await conn.execute(
                """INSERT INTO facility_policies (code, internal_networks, download_period_months)
                   VALUES ($1, $2::cidr[], $3)
                   ON CONFLICT (code) DO UPDATE
                   SET internal_networks = EXCLUDED.internal_networks,
                       download_period_months = EXCLUDED.download_period_months""",
                data.code,
                list(data.internal_networks),
                data.download_period_months,
            )


PROJECTIONS = (FacilityPolicies(),)
