"""Operators' routes: the retention purge on demand (SPEC A2)."""

import msgspec
from litestar import Controller, post

from libs.runtime.app import Injected
from libs.runtime.guards import requires_role
from services.audit.app.retention import Retention
from services.audit.contract import PURGE_PATH


class PurgeOut(msgspec.Struct, frozen=True, kw_only=True):
    ran: bool
    deleted: dict[str, int]


class OperatorController(Controller):
    """What only operators may ask of audit."""

    path = PURGE_PATH
    guards = (requires_role("operator"),)

    @post(operation_id="purgeLogs", status_code=200)
    async def purge_now(self, retention: Injected[Retention]) -> PurgeOut:
        """Run the retention purge now (A2), as the daily schedule would (operators)."""
        report = await retention.purge()
        return PurgeOut(ran=report.ran, deleted=report.deleted)
