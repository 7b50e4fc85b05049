"""What a projection is: a name, the events it reads, its tables, and how it applies one."""

from collections.abc import Sequence
from typing import Protocol

from libs.events.catalogue import Event
from libs.events.envelope import Envelope
from libs.postgres.connection import Connection


class Projection(Protocol):
    """A read model kept from events.

    ``apply`` runs inside the consumer's transaction and must use unqualified table
    names: a rebuild runs the same code with ``search_path`` pointing at fresh tables.
    Rows must derive from events only (no ``now()``), so a rebuild gives the same rows.
    """

    name: str
    """Durable consumer name and inbox key, e.g. ``terminals_access``."""
    events: Sequence[type[Event]]
    """The event types it reads; one durable consumer per context among them."""
    tables: Sequence[str]
    """The tables it owns (rebuilt and swapped together)."""

    async def apply(self, conn: Connection, envelope: Envelope) -> None:
        """Apply one event; idempotence is the runner's job (inbox)."""
        ...


class BatchProjection(Projection, Protocol):
    """A projection that can apply a whole batch in a few statements.

    Per-event statements cost a round trip each, which caps a projection at a few
    thousand events a second; a batch (already de-duplicated by the inbox, in stream
    order) can be written with ``unnest`` arrays instead.
    """

    async def apply_many(self, conn: Connection, envelopes: Sequence[Envelope]) -> None:
        """Apply ``envelopes`` in order, with the same effect as ``apply`` on each."""
        ...


def contexts_of(projection: Projection) -> list[str]:
    """The contexts (streams) a projection reads from, sorted."""
    return sorted({event.context for event in projection.events})
