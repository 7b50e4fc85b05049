"""The ログインログ rows of 「パスワードを忘れた場合」 (``PasswordRecoveryAttempted``) and
how a link is found by its token (only the token's hash is stored)."""

import hashlib
from datetime import datetime

from libs.events.catalogue.signin import (
    PasswordRecoveryAttempted,
    RecoveryReason,
    RecoveryStep,
    SignInApp,
)
from libs.events.envelope import Actor, Envelope, next_event
from libs.events.ids import new_id
from services.identity.app.credential_ports import Account


def token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def attempt(
    account: str,
    found: Account | None,
    app: SignInApp,
    step: RecoveryStep,
    reason: RecoveryReason,
    correlation: str,
    ip: str | None,
    now: datetime,
    facility: str | None = None,
) -> Envelope:
    """The ログインログ row of one step: its own aggregate, version 1 (as sign-in's)."""
    code = found.facility_code if found else facility
    success = reason in ("link_sent", "link_opened", "password_recovered")
    return next_event(
        PasswordRecoveryAttempted(
            account=account,
            account_id=found.account_id if found else None,
            account_kind=found.kind if found else None,
            facility=code,
            app=app,
            step=step,
            result="success" if success else "failure",
            reason=reason,
        ),
        facility=code or "-",
        aggregate_id=new_id(),
        version=0,
        actor=Actor(id=account, role=found.kind if found else "user", ip=ip),
        correlation_id=correlation,
        at=now,
    )
