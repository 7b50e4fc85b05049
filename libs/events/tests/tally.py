"""A projection for the backbone's tests: counts how often each probe event is applied.

``applied`` above 1 would mean an event changed the projection twice.
"""

from collections.abc import Sequence

from libs.events.catalogue import Event
from libs.events.catalogue.identity import FacilityRegistered
from libs.events.catalogue.probe import ProbeRecorded
from libs.events.envelope import Envelope
from libs.postgres.connection import Connection

TALLY_DDL = """
CREATE TABLE IF NOT EXISTS probe_tally (
    event_id uuid PRIMARY KEY,
    aggregate_id text NOT NULL,
    version integer NOT NULL,
    seq integer NOT NULL,
    applied integer NOT NULL
);
CREATE TABLE IF NOT EXISTS facility_names (code text PRIMARY KEY, name text NOT NULL);
"""


class PoisonProbe(Exception):
    """Raised for probes whose note is ``poison``: a handler bug on one message."""


class ProbeTally:
    """Projects probes (and facility names, to read from two streams)."""

    name = "probe_tally"
    events: Sequence[type[Event]] = (ProbeRecorded, FacilityRegistered)
    tables: Sequence[str] = ("probe_tally", "facility_names")

    async def apply(self, conn: Connection, envelope: Envelope) -> None:
        data = envelope.data
        if isinstance(data, ProbeRecorded):
            if data.note == "poison":
                raise PoisonProbe(envelope.event_id)
            await conn.execute(
                """INSERT INTO probe_tally (event_id, aggregate_id, version, seq, applied)
                   VALUES ($1, $2, $3, $4, 1)
                   ON CONFLICT (event_id) DO UPDATE SET applied = probe_tally.applied + 1""",
                envelope.event_id,
                envelope.aggregate_id,
                envelope.version,
                data.seq,
            )
        elif isinstance(data, FacilityRegistered):
            await self._facility(conn, data)

    async def apply_many(self, conn: Connection, envelopes: Sequence[Envelope]) -> None:
        """The batch path: all probes of the batch in one statement."""
        probes = [e for e in envelopes if isinstance(e.data, ProbeRecorded)]
        if any(p.data.note == "poison" for p in probes if isinstance(p.data, ProbeRecorded)):
            raise PoisonProbe("poison in batch")
        if probes:
            await conn.execute(
                """INSERT INTO probe_tally (event_id, aggregate_id, version, seq, applied)
                   SELECT e, a, v, s, 1 FROM unnest($1::uuid[], $2::text[], $3::int[], $4::int[])
                        AS t(e, a, v, s)
                   ON CONFLICT (event_id) DO UPDATE SET applied = probe_tally.applied + 1""",
                [p.event_id for p in probes],
                [p.aggregate_id for p in probes],
                [p.version for p in probes],
                [p.data.seq for p in probes if isinstance(p.data, ProbeRecorded)],
            )
        for envelope in envelopes:
            if isinstance(envelope.data, FacilityRegistered):
                await self._facility(conn, envelope.data)

    async def _facility(self, conn: Connection, data: FacilityRegistered) -> None:
        await conn.execute(
            """INSERT INTO facility_names (code, name) VALUES ($1, $2)
               ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name""",
            data.code,
            data.name,
        )
