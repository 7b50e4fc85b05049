"""The session aggregate (SPEC C3, C4): 「接続中」 until exactly one ending.

A session starts on an allowed decision and ends once: by its agent (「切断」), by an admin
(「強制切断」), by a deletion of its user or terminal, or by a timeout when its agent stops
reporting it. Whatever comes second finds it closed: two admins force-closing one session
get one close and one "already closed" (the version check makes the race exact).
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from libs.events.catalogue.terminals import (
    SessionCloseAcknowledged,
    SessionEnded,
    SessionEndReason,
    SessionForceClosed,
    SessionTimedOut,
)
from services.terminals.domain.errors import conflict, invalid
from services.terminals.domain.text import clean, printable

SessionState = Literal["live", "ended", "force_closed", "timed_out"]
REASON_MAX = 200


@dataclass(frozen=True)
class Session:
    session_id: str
    facility: str
    terminal_id: str
    account: str
    state: SessionState
    version: int
    last_seen_at: datetime

    @property
    def live(self) -> bool:
        return self.state == "live"


def check_live(session: Session) -> None:
    """409 ``session_already_closed`` unless the session is live."""
    if not session.live:
        raise conflict("session_already_closed")


def check_force_close_reason(reason: str) -> str:
    text = clean(reason)
    if not 1 <= len(text) <= REASON_MAX or not printable(text):
        raise invalid("reason", "force_close_reason_invalid")
    return text


def force_close(session: Session, *, by: str, reason: str) -> SessionForceClosed:
    """An admin's 「強制切断」 of a live session (SPEC C4)."""
    check_live(session)
    return SessionForceClosed(
        account=session.account,
        terminal_id=session.terminal_id,
        closed_by=by,
        reason=check_force_close_reason(reason),
    )


def end(session: Session, reason: SessionEndReason) -> SessionEnded:
    """The end of a live session: 「切断」 by its agent, or a deletion (U5, K4)."""
    check_live(session)
    return SessionEnded(account=session.account, terminal_id=session.terminal_id, reason=reason)


def time_out(session: Session) -> SessionTimedOut:
    """The timeout of a live session whose agent went silent (SPEC C3)."""
    check_live(session)
    return SessionTimedOut(
        account=session.account,
        terminal_id=session.terminal_id,
        last_heartbeat_at=session.last_seen_at,
    )


def acknowledge(terminal_id: str, order_seq: int) -> SessionCloseAcknowledged:
    """The agent's confirmation that it cut the session order ``order_seq`` named."""
    return SessionCloseAcknowledged(terminal_id=terminal_id, order_seq=order_seq)
