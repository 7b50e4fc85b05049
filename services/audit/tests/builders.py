"""Real catalogue events for audit's tests, each in its envelope, at a chosen time."""

from datetime import date, datetime, timedelta
from typing import Any, Literal

from libs.events.catalogue import AnyEvent
from libs.events.catalogue.fileshare import (
    ShareApproved,
    ShareAvailable,
    ShareAwaitingApproval,
    ShareBlocked,
    ShareDenied,
    SharedFile,
    ShareDownloaded,
    ShareExpired,
    ShareUploaded,
)
from libs.events.catalogue.identity import (
    AdminCreated,
    FacilityRegistered,
    FacilitySettingsChanged,
)
from libs.events.catalogue.signin import SignInAttempted
from libs.events.catalogue.terminals import (
    ConnectionDecided,
    DecisionReason,
    SessionCloseAcknowledged,
    SessionEnded,
    SessionForceClosed,
    SessionStarted,
    SessionTimedOut,
    TerminalCreated,
    TerminalRenamed,
)
from libs.events.catalogue.users import (
    TerminalAssigned,
    UserCreated,
    UserProfile,
    UserUpdated,
)
from libs.events.envelope import Actor, Envelope, Role, envelop
from libs.events.ids import new_id

DOMAIN = "nrasdev.onmicrosoft.com"
SYSTEM = Actor(id="system", role="system")


def actor(account: str = "998-operation-admin01@" + DOMAIN, role: Role = "admin") -> Actor:
    return Actor(id=account, role=role, ip="192.0.2.10")


def account(name: str, code: str = "998") -> str:
    return f"{code}-{name}@{DOMAIN}"


def facility(
    code: str, at: datetime, time_zone: str = "Asia/Tokyo", facility_id: str | None = None
) -> Envelope:
    return envelop(
        FacilityRegistered(
            code=code, name=f"{code}-Dev Hospital", domain=DOMAIN, time_zone=time_zone
        ),
        facility=code,
        aggregate_id=facility_id or new_id(),
        version=1,
        actor=actor("pytest-operator", "operator"),
        occurred_at=at,
    )


def settings_changed(
    facility_id: str, version: int, at: datetime, code: str = "998", **changes: Any
) -> Envelope:
    """An operator's change of facility ``code``'s settings (its ``version``th event)."""
    return envelop(
        FacilitySettingsChanged(code=code, **changes),
        facility=code,
        aggregate_id=facility_id,
        version=version,
        actor=actor("pytest-operator", "operator"),
        occurred_at=at,
    )


def admin(name: str, at: datetime, code: str = "998") -> Envelope:
    return envelop(
        AdminCreated(facility_id="f", account=account(name, code), name=name),
        facility=code,
        aggregate_id=new_id(),
        version=1,
        actor=actor("pytest-operator", "operator"),
        occurred_at=at,
    )


def profile(family: str, given: str) -> UserProfile:
    return UserProfile(
        family_name=family,
        given_name=given,
        email="u@example.com",
        valid_from=date(2025, 1, 1),
        valid_until=date(2026, 12, 31),
        macs=("AA:BB:CC:DD:EE:FF",),
    )


def user(
    user_id: str, name: str, family: str, given: str, at: datetime, code: str = "998"
) -> Envelope:
    return envelop(
        UserCreated(account=account(name, code), profile=profile(family, given)),
        facility=code,
        aggregate_id=user_id,
        version=1,
        actor=actor(account("operation-admin01", code)),
        occurred_at=at,
    )


def renamed_user(
    user_id: str, name: str, family: str, given: str, at: datetime, version: int = 2
) -> Envelope:
    return envelop(
        UserUpdated(
            account=account(name), profile=profile(family, given), changed=("family_name",)
        ),
        facility="998",
        aggregate_id=user_id,
        version=version,
        actor=actor(),
        occurred_at=at,
    )


def assigned(user_id: str, name: str, terminal_id: str, at: datetime) -> Envelope:
    return envelop(
        TerminalAssigned(account=account(name), terminal_id=terminal_id),
        facility="998",
        aggregate_id=user_id,
        version=3,
        actor=actor(),
        occurred_at=at,
    )


def terminal(terminal_id: str, name: str, at: datetime, code: str = "998") -> Envelope:
    return envelop(
        TerminalCreated(name=name),
        facility=code,
        aggregate_id=terminal_id,
        version=1,
        actor=actor(account("operation-admin01", code)),
        occurred_at=at,
    )


def renamed_terminal(terminal_id: str, name: str, previous: str, at: datetime) -> Envelope:
    return envelop(
        TerminalRenamed(name=name, previous_name=previous),
        facility="998",
        aggregate_id=terminal_id,
        version=2,
        actor=actor(),
        occurred_at=at,
    )


def refused(
    who: str,
    terminal_id: str,
    terminal_name: str,
    reason: DecisionReason,
    at: datetime,
    code: str = "998",
) -> Envelope:
    return envelop(
        ConnectionDecided(
            account=who,
            mac="AA:BB:CC:DD:EE:FF",
            terminal_id=terminal_id,
            terminal_name=terminal_name,
            allowed=False,
            reason=reason,
        ),
        facility=code,
        aggregate_id=new_id(),
        version=1,
        actor=Actor(id=terminal_id, role="agent", ip="192.0.2.50"),
        occurred_at=at,
    )


def allowed(who: str, terminal_id: str, terminal_name: str, at: datetime) -> Envelope:
    return envelop(
        ConnectionDecided(
            account=who,
            mac="AA:BB:CC:DD:EE:FF",
            terminal_id=terminal_id,
            terminal_name=terminal_name,
            allowed=True,
        ),
        facility="998",
        aggregate_id=new_id(),
        version=1,
        actor=Actor(id=terminal_id, role="agent", ip="192.0.2.50"),
        occurred_at=at,
    )


def started(
    session_id: str,
    who: str,
    terminal_id: str,
    terminal_name: str,
    at: datetime,
    code: str = "998",
) -> Envelope:
    return envelop(
        SessionStarted(
            account=who,
            mac="AA:BB:CC:DD:EE:FF",
            terminal_id=terminal_id,
            terminal_name=terminal_name,
            decision_id=new_id(),
        ),
        facility=code,
        aggregate_id=session_id,
        version=1,
        actor=Actor(id=terminal_id, role="agent", ip="192.0.2.50"),
        occurred_at=at,
    )


def ended(session_id: str, who: str, terminal_id: str, at: datetime, version: int = 2) -> Envelope:
    return envelop(
        SessionEnded(account=who, terminal_id=terminal_id, reason="agent"),
        facility="998",
        aggregate_id=session_id,
        version=version,
        actor=Actor(id=terminal_id, role="agent", ip="192.0.2.50"),
        occurred_at=at,
    )


def force_closed(
    session_id: str, who: str, terminal_id: str, at: datetime, version: int = 2
) -> Envelope:
    return envelop(
        SessionForceClosed(
            account=who, terminal_id=terminal_id, closed_by=account("operation-admin01"),
            reason="調査のため",
        ),
        facility="998",
        aggregate_id=session_id,
        version=version,
        actor=actor(),
        occurred_at=at,
    )  # fmt: skip


def acknowledged(session_id: str, terminal_id: str, at: datetime, version: int) -> Envelope:
    return envelop(
        SessionCloseAcknowledged(terminal_id=terminal_id, order_seq=1),
        facility="998",
        aggregate_id=session_id,
        version=version,
        actor=Actor(id=terminal_id, role="agent", ip="192.0.2.50"),
        occurred_at=at,
    )


def timed_out(
    session_id: str, who: str, terminal_id: str, last_seen: datetime, at: datetime
) -> Envelope:
    return envelop(
        SessionTimedOut(account=who, terminal_id=terminal_id, last_heartbeat_at=last_seen),
        facility="998",
        aggregate_id=session_id,
        version=2,
        actor=SYSTEM,
        occurred_at=at,
    )


def signin(
    who: str,
    at: datetime,
    *,
    account_id: str | None = None,
    result: str = "success",
    reason: str = "signed_in",
    step: str = "second_password",
    app: str = "リモートアクセス",
    ip: str = "203.0.113.7",
    code: str = "998",
) -> Envelope:
    return envelop(
        SignInAttempted(
            account=who,
            account_id=account_id,
            account_kind="user" if account_id else None,
            facility=code,
            app=app,  # type: ignore[arg-type]
            step=step,  # type: ignore[arg-type]
            result=result,  # type: ignore[arg-type]
            reason=reason,  # type: ignore[arg-type]
        ),
        facility=code,
        aggregate_id=new_id(),
        version=1,
        actor=Actor(id=who, role="user", ip=ip),
        occurred_at=at,
    )


# -- fileshare -----------------------------------------------------------------------------

PURPOSE = "AMO-ZZZZZZZZZZに関する調査のためにログファイルを共有します"


def uploaded(
    share_id: str,
    files: list[tuple[str, int]],
    at: datetime,
    *,
    needs_approval: bool = False,
    direction: Literal["inside", "outside"] = "outside",
    expires_at: datetime | None = None,
    owner: str = "operation-user01",
    owner_name: str = "operation user02",
    code: str = "998",
) -> Envelope:
    return envelop(
        ShareUploaded(
            owner_account=account(owner, code),
            owner_name=owner_name,
            uploaded_by=account(owner, code),
            uploaded_by_role="user",
            direction=direction,
            purpose=PURPOSE,
            files=tuple(
                SharedFile(file_id=new_id(), name=name, size=size, sha256="0" * 64)
                for name, size in files
            ),
            needs_approval=needs_approval,
            expires_at=expires_at or at + timedelta(days=90),
        ),
        facility=code,
        aggregate_id=share_id,
        version=1,
        actor=Actor(id=account(owner, code), role="user", ip="198.51.100.20"),
        occurred_at=at,
    )


def share_event(
    share_id: str,
    event: Literal["available", "awaiting", "infected", "approved", "denied", "expired"],
    at: datetime,
    version: int,
    owner: str = "operation-user01",
) -> Envelope:
    who = account(owner)
    data: AnyEvent = {
        "available": ShareAvailable(owner_account=who),
        "awaiting": ShareAwaitingApproval(owner_account=who),
        "infected": ShareBlocked(owner_account=who, result="infected"),
        "approved": ShareApproved(owner_account=who),
        "denied": ShareDenied(owner_account=who),
        "expired": ShareExpired(owner_account=who),
    }[event]  # type: ignore[assignment]
    by_admin = event in ("approved", "denied")
    return envelop(
        data,
        facility="998",
        aggregate_id=share_id,
        version=version,
        actor=actor() if by_admin else SYSTEM,
        occurred_at=at,
    )


def downloaded(share_id: str, file_id: str, name: str, size: int, at: datetime) -> Envelope:
    return envelop(
        ShareDownloaded(
            share_id=share_id,
            owner_account=account("operation-user01"),
            file_id=file_id,
            name=name,
            size=size,
            direction="inside",
        ),
        facility="998",
        aggregate_id=new_id(),
        version=1,
        actor=actor(),
        occurred_at=at,
    )
