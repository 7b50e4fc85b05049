"""Upload a share (SPEC F1, F2, F4, F8), streamed: each file goes to the object store and to
clamd at once, chunk by chunk, and is never held whole.

The body is multipart/form-data whose first part, ``manifest``, announces the purpose and
every file's name and size (and, for an admin, the recipient). Everything that can refuse
an upload — permission, purpose, count, total size, names — is checked on it before a
single byte is stored. The files that follow must match it: a file longer than announced
is refused the moment it passes its size (Content-Length is never trusted), one shorter
or an extra or missing file at its end; a refused upload leaves no blob, row or event.
clamd's verdicts arrive as each file ends: a file it cannot scan (password-protected, past
its limits) refuses the whole upload once every file has been heard (SPEC F1), so that the
answer names them all; a file clamd could not be asked about is kept 検査待ち instead.
"""

import asyncio
import contextlib
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass

import msgspec
import structlog
from nats.errors import Error as NatsError

from libs.events.catalogue.fileshare import ShareUploaded
from libs.events.envelope import next_event
from libs.events.ids import new_id
from libs.runtime.internal_auth import Claims
from libs.runtime.problems import DomainError
from services.fileshare.app import metrics
from services.fileshare.app.blob_store import BlobWriter, StoredBlob, blob_name
from services.fileshare.app.context import Context
from services.fileshare.app.envelopes import following
from services.fileshare.app.multipart import (
    FileEnd,
    FileStart,
    MalformedUpload,
    ManifestPart,
    UploadEvent,
    boundary_of,
    upload_events,
)
from services.fileshare.app.ports import ShareUser
from services.fileshare.app.scanner import (
    ScannerUnavailable,
    ScanSession,
    Verdict,
    unscannable_reason,
)
from services.fileshare.domain.errors import invalid, not_found, unavailable, unscannable
from services.fileshare.domain.network import direction
from services.fileshare.domain.share import (
    Manifest,
    Share,
    add_months,
    check_manifest,
    check_may_share,
    mutate,
    scanned,
    shared_files,
)

log = structlog.get_logger("fileshare.upload")


@dataclass(frozen=True)
class Received:
    file_id: str
    name: str
    blob: StoredBlob
    verdict: Verdict | None
    """None when clamd could not be asked: the file stays 検査待ち."""


async def upload_share(
    ctx: Context, claims: Claims, content_type: str, body: AsyncIterable[bytes]
) -> Share:
    """Store and scan an upload; return the share as recorded. Refusals raise DomainError."""
    try:
        return await _upload(ctx, claims, content_type, body)
    except DomainError as error:
        metrics.UPLOADS_REFUSED.labels(error.code).inc()
        # Read what the client is still sending, so that it gets the refusal rather than
        # a connection reset in the middle of its upload (bounded by the route's limit).
        await _drain(body)
        raise


async def _upload(
    ctx: Context, claims: Claims, content_type: str, body: AsyncIterable[bytes]
) -> Share:
    try:
        boundary = boundary_of(content_type)
    except MalformedUpload as error:
        raise invalid("body", "upload_not_multipart") from error
    facility = await ctx.directory.policy(claims.facility)
    # A user shares its own files: its permission decides before the body is read.
    owner = (
        await ctx.directory.user_by_account(claims.facility, claims.sub)
        if claims.role == "user"
        else None
    )
    if facility is None:
        raise not_found("facility_not_found")
    if claims.role == "user":
        if owner is None:
            raise not_found("user_not_found")
        check_may_share(owner.file_share)
    events = upload_events(body, boundary)
    manifest = await _manifest(events)
    check_manifest(manifest)
    if claims.role != "user":
        owner = await _recipient(ctx, claims.facility, manifest)
    assert owner is not None
    share_id = new_id()
    received = await _receive(ctx, events, manifest, claims.facility, share_id)
    try:
        return await _record(
            ctx,
            claims,
            owner,
            manifest,
            facility.internal_networks,
            facility.download_period_months,
            share_id,
            received,
        )
    except BaseException:
        await _forget(ctx, [r.blob.name for r in received])
        raise


async def _manifest(events: AsyncIterator[UploadEvent]) -> Manifest:
    try:
        first = await anext(events, None)
    except MalformedUpload as error:
        raise invalid("body", "upload_malformed") from error
    if not isinstance(first, ManifestPart):
        raise invalid("manifest", "upload_manifest_missing")
    try:
        return msgspec.json.decode(first.raw, type=Manifest)
    except msgspec.DecodeError as error:
        raise invalid("manifest", "upload_manifest_invalid") from error


async def _recipient(ctx: Context, facility: str, manifest: Manifest) -> ShareUser:
    """The user an admin uploads to (SPEC F8): one of the facility's, who may share."""
    if not manifest.recipient:
        raise invalid("recipient", "recipient_required")
    user = await ctx.directory.user_by_account(facility, manifest.recipient)
    if user is None:
        raise not_found("user_not_found")
    check_may_share(user.file_share)
    return user


async def _receive(
    ctx: Context,
    events: AsyncIterator[UploadEvent],
    manifest: Manifest,
    facility: str,
    share_id: str,
) -> list[Received]:
    """Stream each announced file into the store and clamd; all of them, or none kept."""
    received: list[Received] = []
    writer: BlobWriter | None = None
    session: ScanSession | None = None
    index = -1
    written = 0
    file_id = ""
    try:
        async for event in events:
            if isinstance(event, FileStart):
                index += 1
                if index >= len(manifest.files):
                    raise invalid("files", "upload_file_count_mismatch")
                file_id = new_id()
                writer = ctx.blobs.writer(blob_name(facility, share_id, file_id))
                session = await _scan_session(ctx)
                written = 0
            elif isinstance(event, FileEnd):
                assert writer is not None
                if written != manifest.files[index].size:
                    raise invalid(f"files[{index}]", "upload_size_mismatch")
                blob = await writer.close()
                writer = None
                verdict = await _verdict(session)
                session = None
                metrics.UPLOADED_BYTES.inc(blob.size)
                received.append(Received(file_id, manifest.files[index].name, blob, verdict))
            elif isinstance(event, ManifestPart):
                raise invalid("manifest", "upload_malformed")
            else:
                if writer is None:
                    raise invalid("body", "upload_malformed")
                written += len(event)
                if written > manifest.files[index].size:
                    raise invalid(f"files[{index}]", "upload_size_mismatch", status=413)
                await writer.write(event)
                if session is not None:
                    await session.feed(event)
        if len(received) != len(manifest.files):
            raise invalid("files", "upload_file_count_mismatch")
        _refuse_unscannable(received)
        return received
    except MalformedUpload as error:
        await _abandon(ctx, writer, session, received)
        raise invalid("body", "upload_malformed") from error
    except (NatsError, TimeoutError) as error:
        await _abandon(ctx, writer, session, received)
        log.warning("upload_storage_failed", error=repr(error))
        raise unavailable("storage_unavailable") from error
    except BaseException:
        await _abandon(ctx, writer, session, received)
        raise


def _refuse_unscannable(received: list[Received]) -> None:
    """SPEC F1: an archive clamd cannot look into is refused, not stored as 検査不可."""
    signatures = {
        index: r.verdict.signature
        for index, r in enumerate(received)
        if r.verdict is not None and r.verdict.result == "unscannable"
    }
    if signatures:
        log.info("upload_unscannable", signatures=list(signatures.values()))
        raise unscannable(
            [(i, received[i].name, unscannable_reason(sig)) for i, sig in signatures.items()]
        )


async def _scan_session(ctx: Context) -> ScanSession | None:
    try:
        return await ctx.scanner.session()
    except ScannerUnavailable as error:
        metrics.SCANNER_UNAVAILABLE.inc()
        log.warning("scanner_unavailable", error=str(error))
        return None


async def _verdict(session: ScanSession | None) -> Verdict | None:
    if session is None:
        return None
    try:
        verdict = await session.finish()
    except ScannerUnavailable as error:
        metrics.SCANNER_UNAVAILABLE.inc()
        log.warning("scanner_unavailable", error=str(error))
        return None
    metrics.SCANS.labels(verdict.result).inc()
    return verdict


async def _record(
    ctx: Context,
    claims: Claims,
    owner: ShareUser,
    manifest: Manifest,
    networks: tuple[str, ...],
    period_months: int,
    share_id: str,
    received: list[Received],
) -> Share:
    """Append ShareUploaded with the verdicts clamd gave while the files streamed in."""
    now = ctx.clock()
    uploaded = next_event(
        ShareUploaded(
            owner_account=owner.account,
            owner_id=owner.user_id,
            owner_name=owner.name,
            uploaded_by=claims.sub,
            uploaded_by_role="user" if claims.role == "user" else "admin",
            direction=direction(claims.ip, networks),
            purpose=manifest.purpose,
            files=shared_files((r.file_id, r.name, r.blob.size, r.blob.sha256) for r in received),
            needs_approval=claims.role == "user" and owner.file_share == "approval",
            expires_at=add_months(now, period_months),
        ),
        facility=claims.facility,
        aggregate_id=share_id,
        version=0,
        actor=claims.actor,
        at=now,
    )
    share = mutate(None, uploaded)
    envelopes = [uploaded]
    for r in received:
        if r.verdict is not None:
            events = scanned(share, r.file_id, r.verdict.result, r.verdict.signature)
            share, more = following(share, events, actor=claims.actor, at=now, cause=uploaded)
            envelopes += more
    if share.state == "blocked":
        # A file that is not clean can never be downloaded: its bytes go at once.
        await _forget(ctx, [r.blob.name for r in received])
    async with ctx.uow() as uow:
        await uow.append(envelopes)
        await uow.commit()
    return share


async def _abandon(
    ctx: Context,
    writer: BlobWriter | None,
    session: ScanSession | None,
    received: list[Received],
) -> None:
    if writer is not None:
        await asyncio.shield(writer.abort())
    if session is not None:
        await session.close()
    await _forget(ctx, [r.blob.name for r in received])


async def _forget(ctx: Context, names: list[str]) -> None:
    """Delete blobs; shielded, so a client that hangs up does not leave them behind."""

    async def delete_all() -> None:
        for name in names:
            with contextlib.suppress(Exception):
                await ctx.blobs.delete(name)

    if names:
        await asyncio.shield(delete_all())


async def _drain(body: AsyncIterable[bytes]) -> None:
    with contextlib.suppress(Exception):
        async for _ in body:
            pass
