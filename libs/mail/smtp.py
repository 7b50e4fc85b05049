"""Mail out through a configured SMTP server (aiosmtplib), for any service that mails.

A service keeps its own ``smtp_*`` settings (``FUMIDAI_<SERVICE>_SMTP_HOST`` …) and hands
them here: anything with the attributes of ``SmtpSettings`` will do.
"""

from email.message import EmailMessage
from typing import Protocol

import aiosmtplib


class MailNotSent(Exception):
    """The SMTP server was unreachable or refused the message; try again later.

    Not an OSError on purpose: the consumer runner treats those as its database being
    away, whereas a mail that failed should be retried with the mail backoff.
    """


class SmtpSettings(Protocol):
    """Where and how to hand mail over: a service's settings struct has these fields."""

    @property
    def smtp_host(self) -> str: ...
    @property
    def smtp_port(self) -> int: ...
    @property
    def smtp_starttls(self) -> bool: ...
    @property
    def smtp_username(self) -> str: ...
    @property
    def smtp_password(self) -> str: ...
    @property
    def smtp_timeout_s(self) -> float: ...


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
