"""ログインログ (SPEC A1, L4): one row per sign-in step attempted, either way, and per step
of 「パスワードを忘れた場合」 (``PasswordRecoveryAttempted``, decision 0020): the same columns.

The source address is the envelope's ``actor.ip``; ユーザー名 is the name the account had
at the attempt, as far as the directory knew when the row was written.
"""

from collections.abc import Sequence

from libs.events.catalogue import Event
from libs.events.catalogue.signin import PasswordRecoveryAttempted, SignInAttempted
from libs.events.envelope import Envelope
from libs.postgres.connection import Connection
from services.audit.adapters.projections.directory import account_name_at
from services.audit.domain.logs import SIGNINS

_INSERT = f"""
INSERT INTO signin_log (facility, occurred_at, event_id, account, account_id, user_name, app,
                        step, result, reason, ip, correlation_id)
SELECT e.facility, e.occurred_at, e.event_id, e.account, e.account_id,
       coalesce({account_name_at("e.account_id", "e.occurred_at")}, ''),
       e.app, e.step, e.result, e.reason, e.ip, e.correlation_id
FROM unnest($1::text[], $2::timestamptz[], $3::uuid[], $4::text[], $5::text[], $6::text[],
            $7::text[], $8::text[], $9::text[], $10::text[], $11::text[])
     AS e(facility, occurred_at, event_id, account, account_id, app, step, result, reason, ip,
          correlation_id)
ON CONFLICT DO NOTHING
"""


class SignInLog:
    """ログインログ."""

    name = SIGNINS.projection
    events: Sequence[type[Event]] = (SignInAttempted, PasswordRecoveryAttempted)
    tables: Sequence[str] = ("signin_log",)

    async def apply(self, conn: Connection, envelope: Envelope) -> None:
        await self.apply_many(conn, [envelope])

    async def apply_many(self, conn: Connection, envelopes: Sequence[Envelope]) -> None:
        rows = [
            (
                env.facility,
                env.occurred_at,
                env.event_id,
                data.account,
                data.account_id,
                data.app,
                data.step,
                data.result,
                data.reason,
                env.actor.ip or "",
                env.correlation_id,
            )
            for env in envelopes
            if isinstance(data := env.data, SignInAttempted | PasswordRecoveryAttempted)
        ]
        if rows:
            await conn.execute(_INSERT, *[list(column) for column in zip(*rows, strict=True)])
