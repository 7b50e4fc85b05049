"""``/internal/v1/facilities/{code}/terminals/{terminal_id}/users``: 「接続端末編集」's
「ユーザー選択」 saved as one command (K2, K3), on the same assignments as the user form."""

from typing import Annotated

import msgspec
from litestar import put
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath, JSONBody

from libs.runtime.backbone import Backbone
from libs.runtime.internal_auth import Caller
from services.identity.adapters.postgres import PostgresUnitOfWork
from services.identity.api.facility_scope import FacilityScope
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


def terminal_user_routes(backbone: Backbone) -> list[HTTPRouteHandler]:
    scoped_facility = FacilityScope(backbone)

    @put(
        TERMINAL_USERS_PATH,
        operation_id="setTerminalUsers",
    )
    async def set_users(
        code: FromPath[str],
        terminal_id: FromPath[str],
        data: JSONBody[TerminalUsersIn],
        claims: Caller,
    ) -> TerminalUsersOut:
        """Make the checked users exactly the terminal's users, all or nothing."""
        facility = await scoped_facility(claims, code)
        done = await set_terminal_users(
            facility.code,
            terminal_id,
            data.user_ids,
            PostgresUnitOfWork(backbone.pool, backbone.committed),
            claims.actor,
        )
        return TerminalUsersOut(
            changed=[
                TerminalUserChange(user_id=user_id, account=account, assigned=assigned)
                for user_id, account, assigned in done.changed
            ],
            consistency_token=done.last_event_id,
        )

    return [set_users]
