"""「パスワードを忘れた場合」 for admins and remote users (issue 15, decision 0020).

Three steps, each a row of ログインログ (``PasswordRecoveryAttempted``):

1. ``request``: the account as typed is queued — one insert, no lookup — and the answer is
   the same for any account. ``RecoveryMailer`` resolves it later: it looks the account up
   and mails a one-time link only when the account could use it (``request_verdict``).
2. ``open``: the page of the link shows which account it is for, or why it no longer works.
3. ``complete``: the new password is set only with a valid code of the account's
   authenticator; the link is consumed in the same transaction, the account's sign-ins
   and other links end, and the gateway ends its sessions on ``*PasswordRecovered``.

Links and codes count as sign-in does (L4): a wrong code is a failure in a row of the
account, the fifth locks it, and a locked account recovers nothing until the lock ends.
"""

import asyncio
import contextlib
import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import NoReturn
from zoneinfo import ZoneInfo

import asyncpg
import structlog

from libs.events.catalogue import AnyEvent
from libs.events.catalogue.credentials import AdminPasswordRecovered, UserPasswordRecovered
from libs.events.catalogue.signin import (
    PasswordRecoveryAttempted,
    RecoveryReason,
    RecoveryStep,
    SignInApp,
    SignInReason,
)
from libs.events.clock import Clock, system_clock
from libs.events.envelope import Actor, Envelope, next_event
from libs.events.ids import new_id
from libs.events.retry import retrying
from libs.mail.smtp import MailNotSent, Sender
from services.identity.adapters import passwords, totp
from services.identity.adapters import recovery as links
from services.identity.adapters.credentials import Account, CredentialStore, Versions
from services.identity.adapters.totp import SecretBox
from services.identity.app.signin import (
    SignInPolicy,
    check_secret,
    count_failure,
    record_failure,
    refusal,
    within_validity,
)
from services.identity.domain.password_policy import policy_problems, policy_refusal
from services.identity.domain.recovery import (
    link_lifetime_minutes,
    link_refusal,
    link_url,
    request_verdict,
)
from services.identity.domain.signin import app_allows
from services.identity.messages import RECOVERY_MAIL_BODY, RECOVERY_MAIL_SUBJECT

log = structlog.get_logger("recovery")

_LINK_REFUSALS: dict[RecoveryReason, tuple[str, int]] = {
    "link_expired": ("recovery_link_expired", 410),
    "link_used": ("recovery_link_used", 410),
    "link_replaced": ("recovery_link_replaced", 410),
    "account_disabled": ("recovery_account_refused", 410),
    "account_not_valid": ("recovery_account_refused", 410),
    "app_not_allowed": ("recovery_account_refused", 410),
    "mfa_not_enrolled": ("recovery_account_refused", 410),
    "locked": ("account_locked", 423),
}
PURGE_EVERY_S = 60.0
_LOCK_CLASS = 0x5168
"""Advisory lock class of a request in the worker's hands (not a row lock: the worker's
transaction appends its event first, decision 0001)."""


def token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


@dataclass(frozen=True)
class RecoveryPolicy:
    """How long a link works, where it points, and how the mail goes out."""

    link_ttl: timedelta = timedelta(minutes=15)
    public_url: str = "http://127.0.0.1:8000"
    mail_from: str = "fumidai@localhost"
    mail_retry: tuple[timedelta, ...] = ()
    mail_lease: timedelta = timedelta(minutes=2)
    """How long a request is left to the worker mailing it before another may take it."""


@dataclass(frozen=True)
class LinkView:
    """What the link's page shows before the code and the new password are typed."""

    account: str
    kind: str
    expires_at: datetime


@dataclass
class _Held:
    """A link and its account, under the account's sign-in lock, still good to use."""

    link: links.Link
    account: Account
    versions: Versions
    now: datetime


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


async def enrolled(store: CredentialStore, account: Account, versions: Versions) -> bool:
    """An authenticator bound, and not unbound by a reset event since."""
    bound = await store.totp(account.account_id)
    return bound is not None and bound.enrolled_version > versions.mfa_reset


class Recoveries:
    """The request, the link's page and the new password, on identity's database."""

    def __init__(
        self,
        pool: Callable[[], asyncpg.Pool],
        store: Callable[[], CredentialStore],
        box: SecretBox,
        signin: SignInPolicy,
        wake: Callable[[], None],
        clock: Clock = system_clock,
    ) -> None:
        self._pool = pool
        self._store = store
        self._box = box
        self._signin = signin
        self._wake = wake
        self._clock = clock

    async def request(self, account: str, app: SignInApp, ip: str | None) -> None:
        """Queue a request for whatever ``account`` names; the caller says the same to all."""
        async with self._pool().acquire() as conn:
            await links.queue_request(conn, new_id(), account.strip(), app, ip, self._clock())
        self._wake()

    async def open(self, token: str, ip: str | None) -> LinkView:
        """The account a link is for, while it works; logged either way."""
        async with self._store() as store:
            held = await self._hold(store, token, "recovery_link", ip)
            link, account = held.link, held.account
            await store.append([self._attempt(held, "recovery_link", "link_opened", ip)])
            await store.commit()
        return LinkView(account=account.account, kind=account.kind, expires_at=link.expires_at)

    async def complete(self, token: str, code: str, new_password: str, ip: str | None) -> str:
        """Set the new password after a valid code of the account's authenticator; the
        account. The link is consumed only by a success."""
        return await retrying(lambda: self._complete(token, code, new_password, ip))

    async def _complete(self, token: str, code: str, new_password: str, ip: str | None) -> str:
        async with self._store() as store:
            held = await self._hold(store, token, "recovery_password", ip)
            account = held.account
            # The rules anyone can read first, so a typo in the password costs no code.
            public = policy_problems(new_password, account.name, same_as_current=False)
            if public:
                await self._log_and_commit(store, held, "password_rejected", ip)
                raise policy_refusal(public)
            step = await self._checked_code(store, held, code, ip)
            if await check_secret(account.password_hash, new_password):
                # The code is spent all the same (L2: a code is accepted once).
                await store.append(
                    [self._attempt(held, "recovery_password", "password_rejected", ip)]
                )
                await store.accept_step(account.account_id, step)
                await store.commit()
                raise policy_refusal(["password_reused"])
            new_hash = await asyncio.to_thread(passwords.hash_password, new_password)
            await self._recover(store, held, new_hash, ip)
            await store.accept_step(account.account_id, step)
            await store.commit()
        return account.account

    # -- parts -----------------------------------------------------------------------------

    async def _hold(
        self, store: CredentialStore, token: str, step: RecoveryStep, ip: str | None
    ) -> _Held:
        """The link of ``token`` and its account, locked, if it still works; else log (when
        there is an account to log it for), commit and raise."""
        hashed = token_hash(token)
        seen = await links.find_link(store.conn, hashed)
        account = await store.account_by_id(seen.account_id, seen.account_kind) if seen else None
        if seen is None or account is None:
            raise refusal("recovery_link_unknown", 410)
        await store.lock(account.key)
        now = self._clock()
        link = await links.find_link(store.conn, hashed)  # again, under the lock
        if link is None:  # purged meanwhile: a day after it stopped working
            raise refusal("recovery_link_unknown", 410)
        # The account again too: a disable committed between the first read and the lock
        # would otherwise go unseen (only resets move the versions link_refusal compares).
        account = await store.account_by_id(link.account_id, link.account_kind)
        if account is None:
            raise refusal("recovery_link_unknown", 410)
        versions = await store.versions(account.account_id)
        held = _Held(link=link, account=account, versions=versions, now=now)
        reason: RecoveryReason | None = link_refusal(
            used_at=link.used_at,
            replaced_at=link.replaced_at,
            expires_at=link.expires_at,
            base_version=link.base_version,
            reset_version=versions.any_reset,
            now=now,
        )
        if reason is None:
            reason = await self._account_refusal(store, held, ip)
        if reason is not None:
            await self._log_and_commit(store, held, reason, ip, step)
            code, status = _LINK_REFUSALS[reason]
            raise refusal(code, status)
        return held

    async def _account_refusal(
        self, store: CredentialStore, held: _Held, ip: str | None
    ) -> RecoveryReason | None:
        """Why the account may not recover now (it changed since the link was mailed, or it
        is locked from ``ip`` or from everywhere, L4)."""
        account, now = held.account, held.now
        if (await store.failures(account.key, ip)).locked(now):
            return "locked"
        if not app_allows(held.link.app, account.kind):  # type: ignore[arg-type]
            return "app_not_allowed"
        if account.disabled:
            return "account_disabled"
        if not within_validity(account, now):
            return "account_not_valid"
        if not await enrolled(store, account, held.versions):
            return "mfa_not_enrolled"
        return None

    async def _checked_code(
        self, store: CredentialStore, held: _Held, code: str, ip: str | None
    ) -> int:
        """The time step of a valid, unused code; a wrong or replayed one is counted (L4),
        logged and refused — the link stays good until it expires."""
        account = held.account
        bound = await store.totp(account.account_id)
        assert bound is not None  # enrolled() held under the lock
        step = totp.matching_step(
            self._box.open(bound.secret_sealed, account.account_id), code, held.now
        )
        reason: RecoveryReason | None = None
        if step is None:
            reason = "wrong_totp"
        elif step <= bound.last_step:
            reason = "totp_replayed"
        if reason is None and step is not None:
            return step
        assert reason is not None
        await self._fail_code(store, held, reason, ip)

    async def _fail_code(
        self, store: CredentialStore, held: _Held, reason: RecoveryReason, ip: str | None
    ) -> NoReturn:
        account = held.account
        failures = await store.failures(account.key, ip)
        as_signin: SignInReason = "wrong_totp" if reason == "wrong_totp" else "totp_replayed"
        counted = count_failure(self._signin, account, failures, as_signin, held.now, ip)
        await store.append([self._attempt(held, "recovery_password", reason, ip), *counted.told])
        await record_failure(store, account.key, account, counted, ip)
        error = counted.error
        if error.code == "account_locked":
            await links.end_links(store.conn, account.account_id, held.now)
            await store.commit()
            raise error
        await store.commit()
        raise refusal("recovery_totp_invalid", 401)

    async def _recover(
        self, store: CredentialStore, held: _Held, new_hash: str, ip: str | None
    ) -> None:
        account, now = held.account, held.now
        recovered: AnyEvent = (
            AdminPasswordRecovered(account=account.account)
            if account.kind == "admin"
            else UserPasswordRecovered(account=account.account)
        )
        event = next_event(
            recovered,
            facility=account.facility_code,
            aggregate_id=account.account_id,
            version=held.versions.current,
            actor=Actor(id=account.account, role=account.kind, ip=ip),
            correlation_id=held.link.request_id,
            at=now,
        )
        await store.append(
            [self._attempt(held, "recovery_password", "password_recovered", ip), event]
        )
        if not await links.use_link(store.conn, held.link.token_hash, now):
            raise AssertionError("a held link was consumed behind the account's lock")
        await store.set_password(account, new_hash, must_change=False, changed_at=now)
        await store.cancel_signins(account.account_id)
        await links.end_links(store.conn, account.account_id, now)
        await store.clear_failures(account.key)

    def _attempt(
        self, held: _Held, step: RecoveryStep, reason: RecoveryReason, ip: str | None
    ) -> Envelope:
        return attempt(
            held.account.account,
            held.account,
            held.link.app,  # type: ignore[arg-type]
            step,
            reason,
            held.link.request_id,
            ip,
            held.now,
        )

    async def _log_and_commit(
        self,
        store: CredentialStore,
        held: _Held,
        reason: RecoveryReason,
        ip: str | None,
        step: RecoveryStep = "recovery_password",
    ) -> None:
        await store.append([self._attempt(held, step, reason, ip)])
        await store.commit()


class RecoveryMailer:
    """Resolves queued requests one at a time: looks the account up and mails its link."""

    def __init__(
        self,
        pool: Callable[[], asyncpg.Pool],
        store: Callable[[], CredentialStore],
        sender: Sender,
        policy: RecoveryPolicy,
        clock: Clock = system_clock,
        poll_s: float = 1.0,
    ) -> None:
        self._pool = pool
        self._store = store
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
                async with self._pool().acquire() as conn:
                    await links.purge(conn, self._clock())
                purged_at = time.monotonic()
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._poll_s)

    async def resolve_one(self) -> bool:
        """Resolve the oldest request due; False when none was."""
        async with self._store() as store:
            request = await self._claim(store)
            if request is None:
                return False
            now = self._clock()
            account, reason, named = await self._verdict(store, request, now)
            if reason != "link_sent" or account is None:
                await self._finish(store, request, account, reason, named, now)
                return True
            # The link is stored (and the request leased) before the mail goes, so that a
            # click on it can never come before it exists; the ログインログ row follows once
            # the mail was accepted. No event yet: the append must come first (0001).
            token, link, address = await self._new_link(store, request, account, now)
            await store.commit()
        try:
            await self._sender.send(self._mail(account, address, token, link, request))
        except MailNotSent as error:
            log.warning("recovery_mail_not_sent", request_id=request.request_id, error=str(error))
            await self._mail_failed(request, account, link)
            return True
        async with self._store() as store:
            await self._finish(store, request, account, "link_sent", None, self._clock())
        return True

    async def _claim(self, store: CredentialStore) -> links.Request | None:
        """The oldest request due that no other worker holds (an advisory lock: the
        transaction must append before it writes anything, decision 0001)."""
        now = self._clock()
        due = await store.conn.fetch(
            """SELECT request_id FROM recovery_requests
               WHERE resolved_at IS NULL AND due_at <= $1 ORDER BY due_at LIMIT 20""",
            now,
        )
        for row in due:
            taken = await store.conn.fetchval(
                "SELECT pg_try_advisory_xact_lock($1, hashtext($2))", _LOCK_CLASS, row[0]
            )
            if not taken:
                continue
            request = await links.claim_request(store.conn, row[0], now)
            if request is not None:
                return request
        return None

    async def _verdict(
        self, store: CredentialStore, request: links.Request, now: datetime
    ) -> tuple[Account | None, RecoveryReason, str | None]:
        """The account, what the request comes to, and (unknown accounts) the facility
        the typed account names."""
        key = request.account.lower()
        account = await store.find_account(key)
        if account is None:
            return None, "unknown_account", await store.facility_named_by(key)
        versions = await store.versions(account.account_id)
        reason = request_verdict(
            exists=True,
            kind=account.kind,
            app=request.app,  # type: ignore[arg-type]
            disabled=account.disabled,
            valid=within_validity(account, now),
            enrolled=await enrolled(store, account, versions),
            address=await links.address_of(store.conn, account.account_id, account.kind),
        )
        return account, reason, None

    async def _new_link(
        self, store: CredentialStore, request: links.Request, account: Account, now: datetime
    ) -> tuple[str, links.Link, str]:
        """A fresh token, its link stored (replacing older ones), the request leased."""
        address = await links.address_of(store.conn, account.account_id, account.kind)
        assert address is not None  # the verdict said link_sent
        token = secrets.token_urlsafe(32)
        link = links.Link(
            token_hash=token_hash(token),
            request_id=request.request_id,
            account_id=account.account_id,
            account_kind=account.kind,
            app=request.app,
            base_version=(await store.versions(account.account_id)).current,
            created_at=now,
            expires_at=now + self._policy.link_ttl,
            used_at=None,
            replaced_at=None,
        )
        await links.add_link(store.conn, link)
        await links.lease_request(store.conn, request.request_id, now + self._policy.mail_lease)
        return token, link, address

    async def _mail_failed(
        self, request: links.Request, account: Account, link: links.Link
    ) -> None:
        """The link goes unused; the request is tried again later, or given up and logged."""
        retry = self._policy.mail_retry
        async with self._store() as store:
            now = self._clock()
            if request.attempts < len(retry):
                await links.end_link(store.conn, link.token_hash, now)
                await links.retry_request(
                    store.conn, request.request_id, now + retry[request.attempts]
                )
                await store.commit()
                return
            await self._finish(store, request, account, "mail_not_sent", None, now, link)

    async def _finish(
        self,
        store: CredentialStore,
        request: links.Request,
        account: Account | None,
        reason: RecoveryReason,
        named: str | None,
        now: datetime,
        void: links.Link | None = None,
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
        await store.append([logged])
        if void is not None:
            await links.end_link(store.conn, void.token_hash, now)
        await links.resolve_request(store.conn, request.request_id, reason, now)
        await store.commit()

    def _mail(
        self,
        account: Account,
        address: str,
        token: str,
        link: links.Link,
        request: links.Request,
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
