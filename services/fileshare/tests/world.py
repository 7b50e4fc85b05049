"""The world a fileshare test runs in: facilities and users published as identity would
publish them, tokens as the gateway would sign them, and multipart bodies as a browser
would stream them."""

import asyncio
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import asyncpg
import httpx
import msgspec
from nats.aio.client import Client as NATS

from libs.devservers.smtp import MailCatcher, ReceivedMail
from libs.events.catalogue.identity import (
    AdminCreated,
    AdminDisabled,
    AdminEnabled,
    FacilityRegistered,
    FacilitySettingsChanged,
)
from libs.events.catalogue.users import FileShare, UserCreated, UserProfile
from libs.events.codec import encode
from libs.events.envelope import Actor, Envelope, Role, envelop
from libs.events.ids import new_id
from libs.events.settings import EventSettings
from libs.events.subjects import subject_of
from libs.testing.apps import Callers

FACILITY = "998"
OTHER_FACILITY = "997"
DOMAIN = "nrasdev.onmicrosoft.com"
ADMIN_MAIL = "admins@hospital.example"
OTHER_ADMIN_MAIL = "admins@other-hospital.example"
INTERNAL_NETWORK = "10.20.0.0/16"
INSIDE_IP = "10.20.1.5"
OUTSIDE_IP = "203.0.113.7"
IDENTITY = Actor(id="pytest-identity", role="system")


async def publish(nc: NATS, settings: EventSettings, envelope: Envelope) -> None:
    """Put an event on its context's stream, as the owning service's relay would."""
    await nc.jetstream().publish(
        subject_of(settings.subject_root, envelope),
        encode(envelope),
        headers={"Nats-Msg-Id": envelope.event_id},
    )


async def counted(http: httpx.AsyncClient, family: str, **labels: str) -> float:
    """A fileshare counter on the service's /metrics: ``family`` without its
    ``fumidai_fileshare_`` prefix and ``_total``, summed over the labels not given."""
    text = (await http.get("/metrics")).text
    name = f"fumidai_fileshare_{family}_total"
    wanted = [f'{k}="{v}"' for k, v in labels.items()]
    return sum(
        float(line.split()[-1])
        for line in text.splitlines()
        if line.startswith((f"{name}{{", f"{name} ")) and all(w in line for w in wanted)
    )


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 20.0) -> None:
    """Wait until ``check`` holds; fail the test when it never does."""
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        await asyncio.sleep(0.05)


async def mails(catcher: MailCatcher, count: int, timeout: float = 20.0) -> list[ReceivedMail]:
    """The catcher's messages once there are at least ``count`` (without blocking the loop
    the service under test runs on)."""

    async def arrived() -> bool:
        return len(catcher.received) >= count

    await eventually(arrived, timeout)
    return catcher.received


@dataclass
class World:
    nc: NATS
    settings: EventSettings
    db: asyncpg.Pool

    facility_ids: dict[str, str] = field(default_factory=dict)
    versions: dict[str, int] = field(default_factory=dict)
    """Each published aggregate's last version, to number the next event."""

    async def _publish(self, facility: str, aggregate_id: str, event: Any) -> str:
        """Publish the aggregate's next event; its event id."""
        version = self.versions.get(aggregate_id, 0) + 1
        self.versions[aggregate_id] = version
        envelope = envelop(
            event, facility=facility, aggregate_id=aggregate_id, version=version, actor=IDENTITY
        )
        await publish(self.nc, self.settings, envelope)
        return envelope.event_id

    async def applied(self, projection: str, event_id: str) -> None:
        """Wait until fileshare's ``projection`` has applied the event (its inbox has it)."""

        async def seen() -> bool:
            return bool(
                await self.db.fetchval(
                    """SELECT EXISTS (SELECT 1 FROM inbox
                                      WHERE projection = $1 AND event_id = $2::uuid)""",
                    projection,
                    event_id,
                )
            )

        await eventually(seen)

    async def register_facilities(self) -> None:
        """998 (internal network 10.20.0.0/16, notices to ADMIN_MAIL) and 997, projected by
        fileshare."""
        for code, networks, addresses in (
            (FACILITY, (INTERNAL_NETWORK,), (ADMIN_MAIL,)),
            (OTHER_FACILITY, (), (OTHER_ADMIN_MAIL,)),
        ):
            event = FacilityRegistered(
                code=code,
                name=f"{code}-Hospital",
                domain=DOMAIN,
                internal_networks=networks,
                notification_addresses=addresses,
            )
            self.facility_ids[code] = new_id()
            await self._publish(code, self.facility_ids[code], event)

        async def projected() -> bool:
            return bool(await self.db.fetchval("SELECT count(*) FROM facility_policies") == 2)

        await eventually(projected)

    async def change_settings(self, facility: str = FACILITY, **changes: Any) -> None:
        """An operator's FacilitySettingsChanged (T1), once fileshare has applied it."""
        event = FacilitySettingsChanged(code=facility, **changes)
        event_id = await self._publish(facility, self.facility_ids[facility], event)
        await self.applied("fileshare_facilities", event_id)

    async def admin(
        self, name: str, email: str, *, facility: str = FACILITY, display_name: str = ""
    ) -> str:
        """An admin of ``facility`` with its own address (AdminCreated); its id once
        projected."""
        admin_id = new_id()
        account = f"{facility}-{name}@{DOMAIN}"
        event = AdminCreated(
            facility_id=self.facility_ids[facility],
            account=account,
            name=name,
            display_name=display_name,
            email=email,
        )
        await self.applied("fileshare_admins", await self._publish(facility, admin_id, event))
        return admin_id

    async def switch_admin(self, admin_id: str, *, enabled: bool) -> None:
        """An operator disables or enables an admin again, once fileshare has applied it."""
        account = str(
            await self.db.fetchval(
                "SELECT account FROM facility_admins WHERE admin_id = $1", admin_id
            )
        )
        facility = account.split("-", 1)[0]
        event = AdminEnabled(account=account) if enabled else AdminDisabled(account=account)
        await self.applied("fileshare_admins", await self._publish(facility, admin_id, event))

    async def user(
        self,
        permission: FileShare,
        *,
        facility: str = FACILITY,
        name: str | None = None,
        email: str | None = None,
    ) -> str:
        """A user of ``facility`` with that ファイル共有権限; its account once projected."""
        name = name or f"user-{secrets.token_hex(3)}"
        account = f"{facility}-{name}@{DOMAIN}"
        profile = UserProfile(
            family_name="operation",
            given_name=name,
            email=email or f"{name}@vendor.example",
            valid_from=date.today(),
            valid_until=date.today() + timedelta(days=365),
            file_share=permission,
        )
        await publish(
            self.nc,
            self.settings,
            envelop(
                UserCreated(account=account, profile=profile),
                facility=facility,
                aggregate_id=new_id(),
                version=1,
                actor=IDENTITY,
            ),
        )

        async def projected() -> bool:
            return bool(
                await self.db.fetchval(
                    "SELECT EXISTS (SELECT 1 FROM share_users WHERE account = $1)", account
                )
            )

        await eventually(projected)
        return account


def token(
    sub: str,
    role: Role,
    facility: str = FACILITY,
    *,
    ip: str = OUTSIDE_IP,
    second_password_at: float | None = None,
) -> dict[str, str]:
    return Callers("fileshare").bearer(
        sub, role, facility, ip, second_password_at=second_password_at
    )


def as_user(
    account: str,
    *,
    ip: str = OUTSIDE_IP,
    verified_ago: float | None = 1.0,
    now: float | None = None,
) -> dict[str, str]:
    """A user's token; ``verified_ago`` seconds before ``now`` (the service's clock, by
    default the real one) since its second password was verified; None: never."""
    at = None if verified_ago is None else (now or time.time()) - verified_ago
    return token(account, "user", account.split("-", 1)[0], ip=ip, second_password_at=at)


def as_admin(
    facility: str = FACILITY, *, ip: str = INSIDE_IP, name: str = "admin01"
) -> dict[str, str]:
    return token(f"{facility}-{name}@{DOMAIN}", "admin", facility, ip=ip)


FilePart = bytes | Callable[[], AsyncIterator[bytes]]
"""A file's content: bytes, or a factory of a stream of them (large files)."""


def multipart(
    manifest: dict[str, Any],
    files: Sequence[tuple[str, FilePart]],
) -> tuple[dict[str, str], AsyncIterator[bytes]]:
    """Headers and a streamed multipart/form-data body: the manifest, then the files."""
    boundary = f"fumidai-{secrets.token_hex(12)}"

    async def body() -> AsyncIterator[bytes]:
        yield (
            (
                f"--{boundary}\r\n"
                'Content-Disposition: form-data; name="manifest"\r\n'
                "Content-Type: application/json\r\n\r\n"
            ).encode()
            + msgspec.json.encode(manifest)
            + b"\r\n"
        )
        for filename, content in files:
            quoted = filename.replace('"', "%22")
            yield (
                f"--{boundary}\r\n"
                f'Content-Disposition: form-data; name="file"; filename="{quoted}"\r\n'
                "Content-Type: application/octet-stream\r\n\r\n"
            ).encode()
            if isinstance(content, bytes):
                yield content
            else:
                async for chunk in content():
                    yield chunk
            yield b"\r\n"
        yield f"--{boundary}--\r\n".encode()

    return {"Content-Type": f"multipart/form-data; boundary={boundary}"}, body()


def manifest_of(purpose: str, files: Sequence[tuple[str, int]], **extra: Any) -> dict[str, Any]:
    return {"purpose": purpose, "files": [{"name": n, "size": s} for n, s in files], **extra}


def simple_upload(
    purpose: str, files: Sequence[tuple[str, bytes]], **extra: Any
) -> tuple[dict[str, str], AsyncIterator[bytes]]:
    """A small upload whose manifest tells the truth about its files."""
    return multipart(manifest_of(purpose, [(n, len(c)) for n, c in files], **extra), files)
