"""``/internal/v1/facilities/{code}/terminals/{terminal_id}/users``: 「接続端末編集」's
「ユーザー選択」 saved as one command (K2, K3), on the same assignments as the user form."""

from typing import Annotated

import msgspec
from litestar import Controller, put
from litestar.params import FromPath, JSONBody

from libs.runtime.internal_auth import Caller
from services.identity.api.guards import facility_admins
from services.identity.api.provided import InFacility, UsersWork
from services.identity.app.user_batches import TERMINAL_USERS_MAX, set_terminal_users
from services.identity.contract.paths import TERMINAL_USERS_PATH

_ID = msgspec.Meta(min_length=1, max_length=200)


class TerminalUsersIn(msgspec.Struct, frozen=True, kw_only=True):
    user_ids: Annotated[list[Annotated[str, _ID]], msgspec.Meta(max_length=TERMINAL_USERS_MAX)]
    """Every user checked after the edit: the others are unassigned."""


class TerminalUserChange(msgspec.Struct, frozen=True, kw_only=True):
    user_id: str
    account: str
    assigned: bool
    """True: now assigned; False: no longer."""


class TerminalUsersOut(msgspec.Struct, frozen=True, kw_only=True):
    changed: list[TerminalUserChange]
    consistency_token: str | None
    """None when the selection was already so."""


class TerminalUsersController(Controller):
    """The users of one of the facility's terminals."""

    path = TERMINAL_USERS_PATH
    guards = (facility_admins,)

    @put(operation_id="setTerminalUsers")
    async def set_users(
        self,
        terminal_id: FromPath[str],
        data: JSONBody[TerminalUsersIn],
        claims: Caller,
        facility: InFacility,
        uow: UsersWork,
    ) -> TerminalUsersOut:
        """Make the checked users exactly the terminal's users, all or nothing."""
        done = await set_terminal_users(
            facility.code, terminal_id, data.user_ids, uow, claims.actor
        )
        return TerminalUsersOut(
            changed=[
                TerminalUserChange(user_id=user_id, account=account, assigned=assigned)
                for user_id, account, assigned in done.changed
            ],
            consistency_token=done.last_event_id,
        )
