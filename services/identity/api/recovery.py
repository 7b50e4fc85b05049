"""「パスワードを忘れた場合」's routes on identity's internal API (issue 15, decision 0020),
called only by the gateway with its pre-authentication token (as the sign-in steps).

The request answers 202 with the same body whatever it names; identity's worker mails the
link later. The link's token travels in bodies only, never in a URL.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Annotated

import msgspec
from litestar import post
from litestar.handlers import HTTPRouteHandler
from litestar.params import JSONBody

from libs.events.catalogue.signin import SignInApp
from libs.runtime.internal_auth import Caller
from services.identity.api.signin import Account, require_gateway
from services.identity.app.recovery import Recoveries
from services.identity.contract.paths import RECOVERY_PATH
from services.identity.contract.signin import Secret
from services.identity.messages import message

Token = Annotated[str, msgspec.Meta(min_length=1, max_length=128)]


class RecoveryRequest(msgspec.Struct, frozen=True, kw_only=True):
    account: Account
    """The full account as typed; known or not, the answer is the same."""
    app: SignInApp
    """The surface asked from: 「メンテナンスツール」 for admins, 「ファイル共有」 for users."""


class RecoveryRequested(msgspec.Struct, frozen=True, kw_only=True):
    message: str


class LinkToken(msgspec.Struct, frozen=True, kw_only=True):
    token: Token


class LinkOut(msgspec.Struct, frozen=True, kw_only=True):
    account: str
    role: str
    """``admin`` or ``user``: whose sign-in page follows."""
    expires_at: datetime


class RecoveryUse(msgspec.Struct, frozen=True, kw_only=True):
    token: Token
    code: Annotated[str, msgspec.Meta(max_length=16)]
    new_password: Secret


class RecoveredOut(msgspec.Struct, frozen=True, kw_only=True):
    account: str


def recovery_routes(recoveries: Callable[[], Recoveries]) -> list[HTTPRouteHandler]:
    """Request (202), open a link (200/410/423), set the password (200/400/401/410/423)."""

    @post(f"{RECOVERY_PATH}/requests", operation_id="requestRecovery", status_code=202)
    async def request(data: JSONBody[RecoveryRequest], claims: Caller) -> RecoveryRequested:
        require_gateway(claims)
        await recoveries().request(data.account, data.app, claims.ip)
        return RecoveryRequested(message=message("recovery_requested"))

    @post(f"{RECOVERY_PATH}/link", operation_id="openRecoveryLink", status_code=200)
    async def open_link(data: JSONBody[LinkToken], claims: Caller) -> LinkOut:
        require_gateway(claims)
        view = await recoveries().open(data.token, claims.ip)
        return LinkOut(account=view.account, role=view.kind, expires_at=view.expires_at)

    @post(f"{RECOVERY_PATH}/password", operation_id="recoverPassword", status_code=200)
    async def use_link(data: JSONBody[RecoveryUse], claims: Caller) -> RecoveredOut:
        require_gateway(claims)
        account = await recoveries().complete(data.token, data.code, data.new_password, claims.ip)
        return RecoveredOut(account=account)

    return [request, open_link, use_link]
