"""The gateway's reactions to identity's events.

``SessionRevocations`` ends every session of an account whose credentials were taken
back: an admin reset a user's password or authenticator or deleted the user (U4, U5), an
operator reset an admin's (T4). Whoever held the old credentials must not keep a session
opened with them. Only sessions opened before the event end, so a replay (redelivery or
rebuild) never ends a session opened since with the new credentials; the NOTIFY goes out
with the consumer's commit and every replica drops what it kept.

``UserSecondPasswordReset`` ends no session (a user's second password is no sign-in
factor) but takes back each session's earlier check of it: the session's
``second_password_at`` stamp is what lets file sharing through (F7), and a check of the
old second password must not keep it open for its remaining minutes. Only stamps older
than the event go, so a replay keeps a check made since with the new one.
``AdminSecondPasswordReset`` ends the admin's sessions like the other resets: an admin's
second password is a sign-in factor (L3). ``AdminDisabled`` (issue 15) ends them too: a
disabled admin loses every session at once. So does a password set through
「パスワードを忘れた場合」 (``*PasswordRecovered``, decision 0020): an account that needed
recovering may have been stolen.

A password changed at sign-in (``AdminPasswordChanged``/``UserPasswordChanged``, reason
``initial`` or ``expired``) ends the account's earlier sessions too (issue 16, item 6;
docs/decisions/0021): the sign-in that changed it has no session yet, and a session
opened with the retired password must not outlive it. A *voluntary* change is made in a
session, which goes on: the gateway's route ends the others itself, at once, since the
event cannot say which session made it.
"""

from collections.abc import Sequence

from libs.events.catalogue import Event
from libs.events.catalogue.credentials import (
    AdminMfaReset,
    AdminPasswordChanged,
    AdminPasswordRecovered,
    AdminPasswordReset,
    AdminSecondPasswordReset,
    UserPasswordChanged,
    UserPasswordRecovered,
)
from libs.events.catalogue.identity import AdminDisabled
from libs.events.catalogue.users import (
    UserDeleted,
    UserMfaReset,
    UserPasswordReset,
    UserSecondPasswordReset,
)
from libs.events.envelope import Envelope
from libs.events.projection import Projection
from libs.postgres.connection import Connection
from services.gateway.adapters.session_cache import CHANNEL, account_key

_ENDING: tuple[type[Event], ...] = (
    UserPasswordReset,
    UserMfaReset,
    UserDeleted,
    AdminPasswordReset,
    AdminMfaReset,
    AdminSecondPasswordReset,
    AdminDisabled,
    AdminPasswordRecovered,
    UserPasswordRecovered,
)


def _ends_sessions(event: Event) -> bool:
    """A reset, a deletion or a disabling; or a password changed at sign-in, not in a
    session (a voluntary change: the gateway's route keeps the session that made it)."""
    if isinstance(event, AdminPasswordChanged | UserPasswordChanged):
        return event.reason != "voluntary"
    return isinstance(event, _ENDING)


class SessionRevocations:
    """Ends an account's sessions, or their second password checks, when identity takes
    its credentials back."""

    name = "gateway_session_revocations"
    events: Sequence[type[Event]] = (
        *_ENDING,
        UserSecondPasswordReset,
        AdminPasswordChanged,
        UserPasswordChanged,
    )
    tables: Sequence[str] = ()
    """Owns no table: it changes the gateway's sessions, which no rebuild may replace."""

    async def apply(self, conn: Connection, envelope: Envelope) -> None:
        if isinstance(envelope.data, UserSecondPasswordReset):
            await conn.execute(
                """UPDATE sessions SET second_password_at = NULL
                   WHERE account_id = $1 AND second_password_at < $2""",
                envelope.aggregate_id,
                envelope.occurred_at,
            )
            await conn.execute(
                "SELECT pg_notify($1, $2)", CHANNEL, account_key(envelope.aggregate_id)
            )
            return
        if not _ends_sessions(envelope.data):
            return
        await conn.execute(
            """UPDATE sessions SET revoked_at = now()
               WHERE account_id = $1 AND revoked_at IS NULL AND created_at < $2""",
            envelope.aggregate_id,
            envelope.occurred_at,
        )
        await conn.execute("SELECT pg_notify($1, $2)", CHANNEL, account_key(envelope.aggregate_id))


PROJECTIONS: tuple[Projection, ...] = (SessionRevocations(),)
