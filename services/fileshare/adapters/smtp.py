"""Mail out through the configured SMTP server (aiosmtplib)."""

from email.message import EmailMessage
from typing import Protocol

import aiosmtplib

from services.fileshare.settings import FileshareOwn


class MailNotSent(Exception):
    """The SMTP server was unreachable or refused the message; try again later.

    Not an OSError on purpose: the consumer runner treats those as its database being
    away, whereas a mail that failed should be retried with the mail backoff.
    """


class Sender(Protocol):
    async def send(self, message: EmailMessage) -> None:
        """Hand ``message`` to the mail system; raise when it was not accepted."""
        ...


class SmtpSender:
    """Sends each message in its own SMTP session (notifications are few)."""

    def __init__(self, own: FileshareOwn) -> None:
        self._own = own

    async def send(self, message: EmailMessage) -> None:
        own = self._own
        try:
            await aiosmtplib.send(
                message,
                hostname=own.smtp_host,
                port=own.smtp_port,
                start_tls=own.smtp_starttls,
                username=own.smtp_username or None,
                password=own.smtp_password or None,
                timeout=own.smtp_timeout_s,
            )
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
            raise MailNotSent(f"{own.smtp_host}:{own.smtp_port}: {error!r}") from error
