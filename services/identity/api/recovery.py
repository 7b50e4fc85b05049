"""「パスワードを忘れた場合」's routes on identity's internal API (issue 15, decision 0020),
called only by the gateway with its pre-authentication token (as the sign-in steps).

The request answers 202 with the same body whatever it names; identity's worker mails the
link later. The link's token travels in bodies only, never in a URL.
"""

from datetime import datetime
from typing import Annotated

import msgspec
from litestar import Controller, post
from litestar.params import JSONBody

from libs.events.catalogue.signin import SignInApp
from libs.runtime.internal_auth import Caller
from services.identity.api.guards import gateway_only
from services.identity.api.provided import RecoverySteps
from services.identity.api.signin import Account
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


class RecoveryController(Controller):
    """Request (202), open a link (200/410/423), set the password (200/400/401/410/423)."""

    path = RECOVERY_PATH
    guards = (gateway_only,)

    @post("/requests", operation_id="requestRecovery", status_code=202)
    async def request(
        self,
        data: JSONBody[RecoveryRequest],
        claims: Caller,
        recoveries: RecoverySteps,
    ) -> RecoveryRequested:
        await recoveries.request(data.account, data.app, claims.ip)
        return RecoveryRequested(message=message("recovery_requested"))

    @post("/link", operation_id="openRecoveryLink", status_code=200)
    async def open_link(
        self, data: JSONBody[LinkToken], claims: Caller, recoveries: RecoverySteps
    ) -> LinkOut:
        view = await recoveries.open(data.token, claims.ip)
        return LinkOut(account=view.account, role=view.kind, expires_at=view.expires_at)

    @post("/password", operation_id="recoverPassword", status_code=200)
    async def use_link(
        self, data: JSONBody[RecoveryUse], claims: Caller, recoveries: RecoverySteps
    ) -> RecoveredOut:
        account = await recoveries.complete(data.token, data.code, data.new_password, claims.ip)
        return RecoveredOut(account=account)
