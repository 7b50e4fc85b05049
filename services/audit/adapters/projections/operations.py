"""操作ログ (SPEC A1 beyond): every change an admin or an operator made, in every context
(and what admins did with users' files: uploads to them, decisions, downloads).

Who, from where and when come from the envelope's actor and time; what is a Japanese
description written from the event when it is applied, naming things as they were named
then (a terminal's name from the directory, as of the event's time).
"""

from collections.abc import Sequence

import msgspec

from libs.events.catalogue import Event
from libs.events.envelope import Envelope
from libs.postgres.connection import Connection
from services.audit.adapters.projections.directory import terminal_name_at
from services.audit.domain.logs import OPERATIONS
from services.audit.domain.operations import (
    ACTING_ROLES,
    OPERATION_EVENTS,
    TOLD,
    describe,
    terminal_of,
)

_INSERT = """
INSERT INTO operations_log (event_id, facility, occurred_at, actor_id, actor_role, actor_ip,
                            action, target_type, target_id, detail, description, target)
SELECT e.event_id, e.facility, e.occurred_at, e.actor_id, e.actor_role, e.actor_ip, e.action,
       e.target_type, e.target_id, e.detail::jsonb, e.description, e.target
FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::text[], $5::text[], $6::text[],
            $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[])
     AS e(event_id, facility, occurred_at, actor_id, actor_role, actor_ip, action, target_type,
          target_id, detail, description, target)
ON CONFLICT (event_id) DO NOTHING
"""

_TERMINAL_NAMES = f"""
SELECT {terminal_name_at("x.terminal_id", "x.at")} AS name
FROM unnest($1::text[], $2::timestamptz[]) WITH ORDINALITY AS x(terminal_id, at, n)
ORDER BY x.n
"""


class OperationsLog:
    """操作ログ: rows keep what the event said at the time; later renames do not rewrite them."""

    name = OPERATIONS.projection
    events: Sequence[type[Event]] = OPERATION_EVENTS
    tables: Sequence[str] = ("operations_log",)

    async def apply(self, conn: Connection, envelope: Envelope) -> None:
        await self.apply_many(conn, [envelope])

    async def apply_many(self, conn: Connection, envelopes: Sequence[Envelope]) -> None:
        acting = [
            env
            for env in envelopes
            if env.actor.role in ACTING_ROLES or isinstance(env.event, TOLD)
        ]
        if not acting:
            return
        named = [(env, terminal_of(env.event)) for env in acting]
        lookups = [(tid, env.occurred_at) for env, tid in named if tid is not None]
        names: list[str | None] = []
        if lookups:
            records = await conn.fetch(
                _TERMINAL_NAMES, [tid for tid, _ in lookups], [at for _, at in lookups]
            )
            names = [record["name"] for record in records]
        found = iter(names)
        rows = []
        for env, terminal_id in named:
            terminal = next(found) if terminal_id is not None else None
            description, target = describe(env.event, terminal)
            rows.append(
                (
                    env.event_id,
                    env.facility,
                    env.occurred_at,
                    env.actor.id,
                    env.actor.role,
                    env.actor.ip,
                    env.name,
                    env.aggregate_type,
                    env.aggregate_id,
                    msgspec.json.encode(env.data).decode(),
                    description,
                    target,
                )
            )
        await conn.execute(_INSERT, *[list(column) for column in zip(*rows, strict=True)])
