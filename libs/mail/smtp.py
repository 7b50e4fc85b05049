"""Mail out through a configured SMTP server (aiosmtplib), for any service that mails.

A service that mails has an ``SmtpSettings`` group among its own settings (the field
``smtp``), read under its own prefix like the rest (``FUMIDAI_<SERVICE>_SMTP_HOST`` …,
see ``libs.config.env.load``), and hands it here.
"""

from email.message import EmailMessage
from typing import Annotated, Protocol

import aiosmtplib
import msgspec

M = msgspec.Meta


class MailNotSent(Exception):
    """The SMTP server was unreachable or refused the message; try again later.

    Not an OSError on purpose: the consumer runner treats those as its database being
    away, whereas a mail that failed should be retried with the mail backoff.
    """


class SmtpSettings(msgspec.Struct, frozen=True, kw_only=True):
    """Where and how a service hands its mail over, and whom it is from."""

    smtp_host: Annotated[str, M(description="SMTP server the service's mail goes to.")] = (
        "127.0.0.1"
    )
    smtp_port: Annotated[int, M(ge=1, le=65535, description="SMTP server port.")] = 25
    smtp_starttls: Annotated[bool, M(description="Upgrade the SMTP connection with STARTTLS.")] = (
        False
    )
    smtp_username: Annotated[str, M(description="SMTP login; empty for none.")] = ""
    smtp_password: Annotated[str, M(description="SMTP password (never logged).")] = ""
    smtp_timeout_s: Annotated[float, M(gt=0, description="SMTP connect and send timeout.")] = 30.0
    mail_from: Annotated[str, M(description="From address of the service's mail.")] = (
        "fumidai@localhost"
    )


class Sender(Protocol):
    async def send(self, message: EmailMessage) -> None:
        """Hand ``message`` to the mail system; raise when it was not accepted."""
        ...


class SmtpSender:
    """Sends each message in its own SMTP session (notifications are few)."""

    def __init__(self, settings: SmtpSettings) -> None:
        self._settings = settings

    async def send(self, message: EmailMessage) -> None:
        s = self._settings
        try:
            await aiosmtplib.send(
                message,
                hostname=s.smtp_host,
                port=s.smtp_port,
                start_tls=s.smtp_starttls,
                username=s.smtp_username or None,
                password=s.smtp_password or None,
                timeout=s.smtp_timeout_s,
            )
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
            raise MailNotSent(f"{s.smtp_host}:{s.smtp_port}: {error!r}") from error
