"""A real SMTP server (aiosmtpd) on a loopback port that keeps every message it receives.

Tests read what the services sent; ``./fumidai up`` runs one as its mail catcher and also
writes each message as an ``.eml`` file, so a person can open what an admin would get.
It runs aiosmtpd's threaded controller: its own event loop, whatever the caller's is.
"""

from __future__ import annotations

import email
import email.policy
import threading
import time
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Self

from libs.devservers.ports import LOOPBACK, free_port

if TYPE_CHECKING:  # aiosmtpd is the embedded extra's: the image runs fumidai_cli without it
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import SMTP, Envelope, Session


@dataclass(frozen=True)
class ReceivedMail:
    """One message as the server received it."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = email.message_from_bytes(self.raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


class _Keeper:
    """aiosmtpd handler: accept every message and keep it."""

    def __init__(self, spool: Path | None) -> None:
        self.received: list[ReceivedMail] = []
        self.lock = threading.Lock()
        self.arrived = threading.Condition(self.lock)
        self._spool = spool

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        mail = ReceivedMail(
            mail_from=str(envelope.mail_from),
            rcpt_tos=tuple(str(rcpt) for rcpt in envelope.rcpt_tos),
            raw=content if isinstance(content, bytes) else content.encode(),
        )
        if self._spool is not None:
            self._spool.mkdir(parents=True, exist_ok=True)
            name = f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:8]}.eml"
            (self._spool / name).write_bytes(mail.raw)
        with self.arrived:
            self.received.append(mail)
            self.arrived.notify_all()
        return "250 Message accepted for delivery"


class MailCatcher:
    """An SMTP server on 127.0.0.1:`port` keeping what it receives (and spooling it)."""

    def __init__(self, port: int | None = None, *, spool_dir: Path | None = None) -> None:
        self.host: Final = LOOPBACK
        self.port = port if port is not None else free_port()
        self._keeper = _Keeper(spool_dir)
        self._controller: Controller | None = None

    def start(self) -> None:
        if self._controller is not None:
            return
        from aiosmtpd.controller import Controller

        controller = Controller(self._keeper, hostname=self.host, port=self.port)
        controller.start()
        self._controller = controller

    def stop(self) -> None:
        controller, self._controller = self._controller, None
        if controller is not None:
            controller.stop()

    def restart(self) -> None:
        """Serve again on the same port, keeping what was received."""
        controller, self._controller = self._controller, None
        # A loop that died has closed itself (and its thread has ended): nothing to stop.
        if controller is not None and not controller.loop.is_closed():
            controller.stop(no_assert=True)
        self.start()

    @property
    def is_running(self) -> bool:
        """True while its server accepts connections (its thread's loop has not died)."""
        controller = self._controller
        return (
            controller is not None
            and controller.server is not None
            and controller.server.is_serving()
        )

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    @property
    def received(self) -> list[ReceivedMail]:
        """Every message so far, in arrival order."""
        with self._keeper.lock:
            return list(self._keeper.received)

    def wait_for(self, count: int, timeout: float = 10.0) -> list[ReceivedMail]:
        """Block until at least ``count`` messages arrived (or the timeout); return them all."""
        deadline = time.monotonic() + timeout
        with self._keeper.arrived:
            while len(self._keeper.received) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._keeper.arrived.wait(remaining)
            return list(self._keeper.received)
