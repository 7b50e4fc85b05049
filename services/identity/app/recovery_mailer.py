"""The worker of 「パスワードを忘れた場合」: resolves queued requests one at a time, looks
the account up and mails its one-time link when the account could use it (decision 0020).
"""

import asyncio
import contextlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import structlog

from libs.events.catalogue.signin import RecoveryReason
from libs.events.clock import Clock, system_clock
from libs.mail.smtp import MailNotSent, Sender
from services.identity.app.credential_ports import Account
from services.identity.app.recovery_log import attempt, token_hash
from services.identity.app.recovery_ports import Link, RecoveryUnitOfWork, Request
from services.identity.app.signin_flow import enrolled, within_validity
from services.identity.domain.recovery import link_lifetime_minutes, link_url, request_verdict
from services.identity.messages import RECOVERY_MAIL_BODY, RECOVERY_MAIL_SUBJECT

log = structlog.get_logger("recovery")

PURGE_EVERY_S = 60.0


@dataclass(frozen=True)
class RecoveryPolicy:
    """How long a link works, where it points, and how the mail goes out."""

    link_ttl: timedelta = timedelta(minutes=15)
    public_url: str = "http://127.0.0.1:8000"
    mail_from: str = "fumidai@localhost"
    mail_retry: tuple[timedelta, ...] = ()
    mail_lease: timedelta = timedelta(minutes=2)
    """How long a request is left to the worker mailing it before another may take it."""


class RecoveryMailer:
    """Resolves queued requests one at a time: looks the account up and mails its link."""

    def __init__(
        self,
        uow: Callable[[], RecoveryUnitOfWork],
        sender: Sender,
        policy: RecoveryPolicy,
        clock: Clock = system_clock,
        poll_s: float = 1.0,
    ) -> None:
        self._uow = uow
        self._sender = sender
        self._policy = policy
        self._clock = clock
        self._poll_s = poll_s
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """A request was queued here: look now rather than at the next poll."""
        self._wake.set()

    async def run(self) -> None:
        purged_at = -PURGE_EVERY_S
        while True:
            while await self.resolve_one():
                pass
            if time.monotonic() - purged_at > PURGE_EVERY_S:
                async with self._uow() as uow:
                    await uow.purge_recovery(self._clock())
                    await uow.commit()
                purged_at = time.monotonic()
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._poll_s)

    async def resolve_one(self) -> bool:
        """Resolve the oldest request due; False when none was."""
        async with self._uow() as uow:
            request = await uow.claim_due(self._clock())
            if request is None:
                return False
            now = self._clock()
            account, reason, named = await self._verdict(uow, request, now)
            if reason != "link_sent" or account is None:
                await self._finish(uow, request, account, reason, named, now)
                return True
            # The link is stored (and the request leased) before the mail goes, so that a
            # click on it can never come before it exists; the ログインログ row follows once
            # the mail was accepted. No event yet: the append must come first (0001).
            token, link, address = await self._new_link(uow, request, account, now)
            await uow.commit()
        try:
            await self._sender.send(self._mail(account, address, token, link, request))
        except MailNotSent as error:
            log.warning("recovery_mail_not_sent", request_id=request.request_id, error=str(error))
            await self._mail_failed(request, account, link)
            return True
        async with self._uow() as uow:
            await self._finish(uow, request, account, "link_sent", None, self._clock())
        return True

    async def _verdict(
        self, uow: RecoveryUnitOfWork, request: Request, now: datetime
    ) -> tuple[Account | None, RecoveryReason, str | None]:
        """The account, what the request comes to, and (unknown accounts) the facility
        the typed account names."""
        key = request.account.lower()
        account = await uow.find_account(key)
        if account is None:
            return None, "unknown_account", await uow.facility_named_by(key)
        versions = await uow.versions(account.account_id)
        reason = request_verdict(
            exists=True,
            kind=account.kind,
            app=request.app,  # type: ignore[arg-type]
            disabled=account.disabled,
            valid=within_validity(account, now),
            enrolled=await enrolled(uow, account, versions),
            address=await uow.address_of(account.account_id, account.kind),
        )
        return account, reason, None

    async def _new_link(
        self, uow: RecoveryUnitOfWork, request: Request, account: Account, now: datetime
    ) -> tuple[str, Link, str]:
        """A fresh token, its link stored (replacing older ones), the request leased."""
        address = await uow.address_of(account.account_id, account.kind)
        assert address is not None  # the verdict said link_sent
        token = secrets.token_urlsafe(32)
        link = Link(
            token_hash=token_hash(token),
            request_id=request.request_id,
            account_id=account.account_id,
            account_kind=account.kind,
            app=request.app,
            base_version=(await uow.versions(account.account_id)).current,
            created_at=now,
            expires_at=now + self._policy.link_ttl,
            used_at=None,
            replaced_at=None,
        )
        await uow.add_link(link)
        await uow.lease_request(request.request_id, now + self._policy.mail_lease)
        return token, link, address

    async def _mail_failed(self, request: Request, account: Account, link: Link) -> None:
        """The link goes unused; the request is tried again later, or given up and logged."""
        retry = self._policy.mail_retry
        async with self._uow() as uow:
            now = self._clock()
            if request.attempts < len(retry):
                await uow.end_link(link.token_hash, now)
                await uow.retry_request(request.request_id, now + retry[request.attempts])
                await uow.commit()
                return
            await self._finish(uow, request, account, "mail_not_sent", None, now, link)

    async def _finish(
        self,
        uow: RecoveryUnitOfWork,
        request: Request,
        account: Account | None,
        reason: RecoveryReason,
        named: str | None,
        now: datetime,
        void: Link | None = None,
    ) -> None:
        """Log the request's outcome in ログインログ (at the time it was made) and close it."""
        logged = attempt(
            request.account,
            account,
            request.app,  # type: ignore[arg-type]
            "recovery_request",
            reason,
            request.request_id,
            request.ip,
            request.requested_at,
            named,
        )
        await uow.append([logged])
        if void is not None:
            await uow.end_link(void.token_hash, now)
        await uow.resolve_request(request.request_id, reason, now)
        await uow.commit()

    def _mail(
        self,
        account: Account,
        address: str,
        token: str,
        link: Link,
        request: Request,
    ) -> EmailMessage:
        expires = link.expires_at.astimezone(ZoneInfo(account.time_zone))
        mail = EmailMessage()
        mail["From"] = self._policy.mail_from
        mail["To"] = address
        mail["Subject"] = RECOVERY_MAIL_SUBJECT
        # One Message-ID per link: a mail client that drops a repeated Message-ID must not
        # hide a later link (a retry after a crash mails a new one) behind an earlier one.
        mail["Message-ID"] = (
            f"<recovery.{request.request_id}.{link.token_hash.hex()[:16]}@fumidai.invalid>"
        )
        mail.set_content(
            RECOVERY_MAIL_BODY.format(
                account=account.account,
                url=link_url(self._policy.public_url, account.kind, token),
                expires=expires.strftime("%Y/%m/%d %H:%M"),
                minutes=link_lifetime_minutes(self._policy.link_ttl),
            )
        )
        return mail
