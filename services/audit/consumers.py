"""audit's projections: the logs admins read (SPEC A1)."""

from collections.abc import Sequence

import msgspec

from libs.events.catalogue import Event
from libs.events.catalogue.identity import AdminCreated, FacilityRegistered
from libs.events.envelope import Envelope
from libs.postgres.connection import Connection


class OperationsLog:
    """操作ログ: every change made by an admin or operator — who, what, when, from where.

    Rows keep what the event said at the time; later renames do not rewrite them.
    """

    name = "audit_operations"
    events: Sequence[type[Event]] = (FacilityRegistered, AdminCreated)
    tables: Sequence[str] = ("operations_log",)

    async def apply(self, conn: Connection, envelope: Envelope) -> None:
        await conn.execute(
            """INSERT INTO operations_log (event_id, facility, occurred_at, actor_id, actor_role,
                   actor_ip, action, target_type, target_id, detail)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb)
               ON CONFLICT (event_id) DO NOTHING""",
            envelope.event_id,
            envelope.facility,
            envelope.occurred_at,
            envelope.actor.id,
            envelope.actor.role,
            envelope.actor.ip,
            envelope.name,
            envelope.aggregate_type,
            envelope.aggregate_id,
            msgspec.json.encode(envelope.data).decode(),
        )


PROJECTIONS = (OperationsLog(),)
