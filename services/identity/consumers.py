"""identity's projections of other services' events.

``TerminalCatalogue`` keeps the terminals of every facility (id, name, deleted) so that
identity can check and name a user's 接続端末 (U1, K3) without asking the terminals
service. A deleted terminal stays as a tombstone row.

identity reacts to a deletion with its own command, ``TerminalUnassigned(reason=
"terminal_deleted")`` for each user that has it (K4). That command cannot run inside
``apply``: the consumer's transaction has already written (its inbox), and an append
must be the first write of its transaction (decision 0001). So the projection only
records the tombstone, and ``app/terminal_sweeper.py`` finds assignments that point at a
tombstone and issues the commands, each in its own transaction. The tombstone *is* the
work list: no outbox table, nothing to lose, and an assignment racing with the deletion
(made after the sweep looked) is caught by the next sweep.
"""

from collections.abc import Sequence

from libs.events.catalogue import Event
from libs.events.catalogue.terminals import TerminalCreated, TerminalDeleted, TerminalRenamed
from libs.events.envelope import Envelope
from libs.events.projection import Projection
from libs.postgres.connection import Connection


class TerminalCatalogue:
    """Terminals by facility, as identity needs them for users' 接続端末."""

    name = "identity_terminals"
    events: Sequence[type[Event]] = (TerminalCreated, TerminalRenamed, TerminalDeleted)
    tables: Sequence[str] = ("terminals",)

    async def apply(self, conn: Connection, envelope: Envelope) -> None:
        data = envelope.data
        if not isinstance(data, TerminalCreated | TerminalRenamed | TerminalDeleted):
            return
        # An older event than the row's (a redelivery after a later one) changes nothing;
        # a deletion is final whatever arrives after it.
        await conn.execute(
            """INSERT INTO terminals (terminal_id, facility_code, name, name_key, deleted, version)
               VALUES ($1, $2, $3, $4, $5, $6)
               ON CONFLICT (terminal_id) DO UPDATE
               SET name = EXCLUDED.name, name_key = EXCLUDED.name_key,
                   deleted = terminals.deleted OR EXCLUDED.deleted, version = EXCLUDED.version
               WHERE terminals.version < EXCLUDED.version""",
            envelope.aggregate_id,
            envelope.facility,
            data.name,
            data.name.lower(),
            isinstance(data, TerminalDeleted),
            envelope.version,
        )


PROJECTIONS: tuple[Projection, ...] = (TerminalCatalogue(),)
