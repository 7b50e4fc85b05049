"""The purge's rules and its use case over a fake store (SPEC A2): no database, no NATS."""

import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

from libs.events.clock import SettableClock
from libs.events.settings import EventSettings
from services.audit.adapters.projections import PROJECTIONS
from services.audit.app.retention import Retention
from services.audit.contract import OperationRow, SignInRow
from services.audit.domain.logs import LOGS, LogSpec
from services.audit.domain.retention import inbox_cutoff, purge_due
from services.audit.domain.rows import log_row
from services.audit.settings import AuditOwn

NOW = datetime(2025, 3, 24, 9, 0, tzinfo=UTC)


class FakeStore:
    """Rows past their cutoff per table; each delete takes at most a batch of them."""

    def __init__(self, old: dict[str, int], *, held: bool = True) -> None:
        self.old = dict(old)
        self.batches: list[tuple[str, int]] = []
        self.cutoffs: dict[str, datetime] = {}
        self.runs: list[dict[str, int]] = []
        self._held = held

    @contextlib.asynccontextmanager
    async def held(self) -> AsyncIterator[bool]:
        yield self._held

    def _take(self, table: str, batch: int) -> int:
        taken = min(self.old.get(table, 0), batch)
        self.old[table] = self.old.get(table, 0) - taken
        self.batches.append((table, taken))
        return taken

    async def delete_log_rows(self, spec: LogSpec, cutoff: datetime, batch: int) -> int:
        self.cutoffs[spec.table] = cutoff
        return self._take(spec.table, batch)

    async def delete_expired_exports(self, now: datetime, batch: int) -> int:
        return self._take("export_jobs", batch)

    async def delete_inbox(self, projection: str, cutoff: datetime, batch: int) -> int:
        self.cutoffs[projection] = cutoff
        return self._take(projection, batch)

    async def record_run(self, now: datetime, deleted: dict[str, int]) -> None:
        self.runs.append(deleted)

    async def last_run(self) -> datetime | None:
        return None


def retention(store: FakeStore, own: AuditOwn) -> Retention:
    return Retention(store, own, EventSettings(), PROJECTIONS, SettableClock(NOW))


async def test_a2_a_backlog_drains_in_batches_and_each_log_by_its_own_period() -> None:
    store = FakeStore({"signin_log": 5, "export_jobs": 2, "audit_fileshare": 1})
    report = await retention(store, AuditOwn(purge_batch=2, purge_pause_s=0)).purge()

    assert report.ran and report.deleted == {
        "connections": 0, "signins": 5, "fileshare": 0, "operations": 0, "exports": 2, "inbox": 1,
    }  # fmt: skip
    assert [n for table, n in store.batches if table == "signin_log"] == [2, 2, 1]
    assert [n for table, n in store.batches if table == "export_jobs"] == [1, 1, 0]  # one a time
    assert store.cutoffs["signin_log"] == NOW - timedelta(days=30)
    assert store.cutoffs["connection_log"] == NOW - timedelta(days=730)
    # Inbox ids go a day after their stream's age; identity's and terminals' are kept.
    assert store.cutoffs["audit_fileshare"] == NOW - timedelta(days=801)
    assert store.cutoffs["audit_signins"] == NOW - timedelta(days=46)
    assert "audit_connections" not in store.cutoffs
    assert store.runs == [report.deleted]


async def test_a2_a_purge_another_replica_holds_is_not_run_twice() -> None:
    store = FakeStore({"signin_log": 5}, held=False)
    report = await retention(store, AuditOwn()).purge()
    assert not report.ran and store.batches == [] and store.runs == []


def test_a2_rules_inbox_and_schedule() -> None:
    assert inbox_cutoff([800, 0], NOW) is None
    assert inbox_cutoff([45, 800], NOW) == NOW - timedelta(days=801)
    assert purge_due(None, NOW, 86400)
    assert not purge_due(NOW - timedelta(hours=23), NOW, 86400)
    assert purge_due(NOW - timedelta(hours=24), NOW, 86400)
    assert {AuditOwn().keep_days(log) for log in LOGS} == {30, 365, 730}


def test_a1_rows_are_their_records_columns() -> None:
    signin = {
        "event_id": "e1", "occurred_at": NOW, "account": "u1", "account_id": None,
        "app": "web", "step": "password", "result": "failure", "reason": "bad_password",
        "correlation_id": "c1",
    }  # fmt: skip
    assert log_row("signins", signin, ["a"], NOW) == SignInRow(
        id="e1", occurred_at=NOW, account="u1", account_id=None, app="web", step="password",
        result="failure", reason="bad_password", correlation_id="c1", cells=["a"],
    )  # fmt: skip
    operation = {
        "event_id": "e2", "occurred_at": NOW, "actor_id": "admin01", "actor_role": "admin",
        "action": "UserCreated", "target_type": "user", "target_id": "u1", "target": "u1",
    }  # fmt: skip
    row = log_row("operations", operation, [], NOW)
    assert isinstance(row, OperationRow)
    assert row.id == "e2" and row.target == "u1" and row.cells == []
