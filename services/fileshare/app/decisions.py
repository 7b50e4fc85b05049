"""「承認」 and 「否認」 (SPEC F5): final, and exactly one of two simultaneous decisions counts.

Both admins read the share at the same version and append the next one; the events
table's primary key lets one through and turns the other into ConcurrencyConflict. The
loser then tries again (``retrying``), reads the decided share and is told so (409), never
silently overruled.
"""

from libs.events.retry import retrying
from libs.runtime.internal_auth import Claims
from services.fileshare.app.context import Context
from services.fileshare.app.envelopes import following
from services.fileshare.domain.errors import not_found
from services.fileshare.domain.share import Share, decide


async def decide_share(
    ctx: Context, claims: Claims, facility: str, share_id: str, *, approve: bool
) -> Share:
    """Record the admin's decision; 404 when missing or another facility's, 409 when decided."""

    async def attempt() -> Share:
        async with ctx.uow() as uow:
            share = await uow.share(facility, share_id)
            if share is None:
                raise not_found()
            event = decide(share, approve=approve)
            after, envelopes = following(share, [event], actor=claims.actor, at=ctx.clock())
            await uow.append(envelopes)
            await uow.commit()
            return after

    return await retrying(attempt)
