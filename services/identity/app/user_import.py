"""「一括登録」 (SPEC U6): apply an uploaded users CSV row by row and build its result.

A row whose account exists updates that user, any other creates one. Each row is its
own command and transaction (decision 0001: bulk work in short transactions), applied
whole or not at all; valid rows apply even when others fail. Rows are checked up front
against one snapshot (accounts repeated in the file, every U1 rule, what would change),
so a row that changes nothing writes nothing: the same file uploaded twice changes
nothing the second time. Rows that write are applied ``csv_import_workers`` at a time, on
connections of the job's own (their commits then share WAL flushes); a row that updates
re-reads its user inside its transaction.

The result of each row that wrote is sealed and stored in the row's own transaction
(``job_rows``): if the process dies, the resumed job skips those rows and still reports
their initial passwords.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import asyncpg
import msgspec
import structlog

from libs.events.clock import Clock
from libs.events.envelope import Actor
from libs.events.retry import retrying
from libs.events.store import ConcurrencyConflict
from libs.runtime.problems import DomainError, FieldProblem
from services.identity.app.import_ports import ImportUnitOfWork, Lanes, Progress, Sealer
from services.identity.app.import_rows import (
    ImportRow,
    RowResult,
    change_text,
    check_rows,
    parse_account,
    result_csv,
)
from services.identity.app.password_ports import Passwords
from services.identity.app.unit_of_work import FacilityRow, RowRecord, UserUnitOfWork
from services.identity.app.user_writes import (
    Issued,
    Outcome,
    Recorder,
    create_in,
    refuse_taken,
    update_in,
)
from services.identity.domain import csv_format as fmt
from services.identity.domain import user as aggregate
from services.identity.domain.errors import field_problem
from services.identity.domain.user import User
from services.identity.domain.user_profile import check_federation_targets, today_in
from services.identity.messages import CHANGE_LABELS

log = structlog.get_logger("user_import")

_PREFETCH_CHUNK = 2000


class UserImport:
    """One import job's run: check every row, apply the ones that change something."""

    def __init__(
        self,
        *,
        job_id: str,
        facility: FacilityRow,
        actor: Actor,
        uow: Callable[[], ImportUnitOfWork],
        lanes: Lanes,
        workers: int,
        seal: Sealer,
        passwords: Passwords,
        progress: Progress,
        now: Clock,
    ) -> None:
        self._job_id = job_id
        self._facility = facility
        self._actor = actor
        self._uow = uow
        self._lanes = lanes
        self._workers = workers
        self._seal = seal
        self._passwords = passwords
        self._progress = progress
        self._now = now

    def _row_context(self, row_no: int) -> str:
        return f"job:{self._job_id}:row:{row_no}"

    async def run(self, table: fmt.CsvTable) -> bytes:
        """Apply ``table``; return the result CSV (not yet sealed)."""
        facility = self._facility
        self._progress.total = len(table.rows)
        async with self._uow() as uow:
            done_before = await uow.job_rows(self._job_id)
            catalogue = await uow.federation_catalogue(facility)
            terminals = await uow.live_terminals(facility)
        results: dict[int, RowResult] = {
            no: msgspec.msgpack.decode(
                self._seal.open(sealed, self._row_context(no)), type=RowResult
            )
            for no, sealed in done_before.items()
        }
        for result in results.values():
            self._count(result)
        rows = [ImportRow(no, table.cells(cells)) for no, cells in enumerate(table.rows, start=1)]
        # All rows are checked, applied ones of a resumed run too: a later row repeating
        # an applied row's account is still the later one.
        existing, holders = await self._existing(rows)
        today = today_in(facility.time_zone, self._now())
        check_rows(rows, table, existing, holders, catalogue, terminals, facility, today)
        pending = [row for row in rows if row.no not in results]
        writes: list[ImportRow] = []
        for row in pending:
            if row.problems:
                results[row.no] = self._count(RowResult(errors=fmt.describe_problems(row.problems)))
                continue
            assert row.account is not None and row.checked is not None
            current = existing.get(row.account.lower())
            if current is not None and not aggregate.update(
                current, row.checked.profile, row.checked.terminals
            ):
                results[row.no] = self._count(
                    RowResult(change=CHANGE_LABELS["unchanged"], outcome="unchanged")
                )
                continue
            writes.append(row)
        if writes:
            await self._write(writes, results)
        return result_csv(rows, results)

    async def _write(self, writes: list[ImportRow], results: dict[int, RowResult]) -> None:
        """Apply rows on connections of the job's own: many rows at once let their commits
        share WAL flushes, and the service's pool stays free for the API and the relay."""
        width = min(self._workers, len(writes))
        queue: asyncio.Queue[ImportRow] = asyncio.Queue()
        for row in writes:
            queue.put_nowait(row)
        async with self._lanes(width) as lanes:
            workers = [asyncio.create_task(self._worker(lane, queue, results)) for lane in lanes]
            try:
                await asyncio.gather(*workers)
            finally:
                for worker in workers:
                    worker.cancel()
                # Each lane's connection goes back only once its row is rolled back.
                await asyncio.gather(*workers, return_exceptions=True)

    def _count(self, result: RowResult) -> RowResult:
        progress = self._progress
        progress.done += 1
        if result.outcome == "created":
            progress.created += 1
        elif result.outcome == "updated":
            progress.updated += 1
        elif result.outcome == "unchanged":
            progress.unchanged += 1
        else:
            progress.failed += 1
        return result

    async def _existing(self, rows: list[ImportRow]) -> tuple[dict[str, User], dict[str, str]]:
        """The facility's users the rows name, and who holds each account (one snapshot)."""
        keys = set()
        for row in rows:
            try:
                keys.add(parse_account(row.cells.get(fmt.ACCOUNT, ""), self._facility).lower())
            except DomainError:
                continue
        found: dict[str, User] = {}
        holders: dict[str, str] = {}
        ordered = sorted(keys)
        async with self._uow() as uow:
            for start in range(0, len(ordered), _PREFETCH_CHUNK):
                chunk = ordered[start : start + _PREFETCH_CHUNK]
                found |= await uow.users_by_account(self._facility, chunk)
                holders |= await uow.account_kinds(chunk)
        return found, holders

    async def _worker(
        self,
        lane: Callable[[], UserUnitOfWork],
        queue: asyncio.Queue[ImportRow],
        results: dict[int, RowResult],
    ) -> None:
        while not queue.empty():
            row = queue.get_nowait()
            results[row.no] = self._count(await self._apply(row, lane))

    async def _apply(self, row: ImportRow, lane: Callable[[], UserUnitOfWork]) -> RowResult:
        """One row in its own transaction; its refusal (never a crash) becomes its エラー内容."""
        assert row.account is not None and row.checked is not None
        recorded: list[RowResult] = []

        def record(outcome: Outcome) -> RowRecord:
            change, counted = change_text(outcome)
            issued = outcome.issued
            result = RowResult(
                password=issued.password if issued else "",
                second_password=issued.second_password if issued else "",
                change=change,
                outcome=counted,
            )
            recorded.append(result)
            return RowRecord(
                self._job_id,
                row.no,
                self._seal.seal(msgspec.msgpack.encode(result), self._row_context(row.no)),
            )

        tries = 0

        async def attempt() -> RowResult:
            nonlocal tries
            tries += 1
            # A new account goes straight to its append on the first try: the accounts
            # table's key refuses it should anyone have taken it since the rows were checked.
            await self._write_row(row, lane(), record, look_up=not (row.new and tries == 1))
            return recorded[-1]

        try:
            return await retrying(attempt)
        except ConcurrencyConflict:
            return RowResult(
                errors=fmt.describe_problems([field_problem("account", "version_conflict")])
            )
        except DomainError as error:
            problems = error.errors or (FieldProblem("account", error.code, error.message),)
            return RowResult(errors=fmt.describe_problems(problems))
        except (OSError, asyncpg.PostgresError) as error:
            # The row is rolled back whole; say so in its cell and go on with the rest.
            log.error(
                "import_row_failed", job_id=self._job_id, row=row.no, error=type(error).__name__
            )
            return RowResult(
                errors=fmt.describe_problems([field_problem("account", "csv_row_failed")])
            )

    async def _write_row(
        self,
        row: ImportRow,
        uow: UserUnitOfWork,
        record: Recorder,
        *,
        look_up: bool,
    ) -> None:
        """Create or update the row's user in one transaction (one try of ``_apply``)."""
        assert row.account is not None and row.checked is not None
        async with uow:
            kind, current = (
                await uow.account_holder(self._facility, row.account) if look_up else (None, None)
            )
            # Checked against the file's snapshot; a rename or retirement since then is
            # caught here, under the catalogue's lock. A row without targets has nothing a
            # catalogue change could make stale.
            wanted = row.checked.profile.federation_targets
            if wanted:
                catalogue = await uow.federation_catalogue(self._facility)
                held = current.profile.federation_targets if current else ()
                check_federation_targets(wanted, catalogue.allowed_for(held), catalogue.retired())
            if current is None:
                refuse_taken(kind)
                await create_in(
                    uow,
                    self._facility,
                    row.account,
                    row.checked,
                    self._actor,
                    issued=Issued.fresh(self._passwords),
                    record=record,
                )
            else:
                events = aggregate.update(current, row.checked.profile, row.checked.terminals)
                await update_in(uow, current, events, self._actor, record=record)
