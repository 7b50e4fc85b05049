"""Rebuilding a projection from its streams gives the rows the live one has."""

import asyncpg

from libs.events.catalogue.identity import FacilityRegistered
from libs.events.envelope import envelop
from libs.events.rebuild import rebuild
from libs.events.store import append
from libs.events.tests.probes import TESTER
from libs.events.tests.rig import Rig, wait_for
from libs.events.tests.tally import ProbeTally


async def test_rebuild_gives_the_same_rows_as_the_live_projection(rig: Rig) -> None:
    await rig.write(300)
    async with rig.pool.acquire() as conn:
        for i, name in enumerate(["A病院", "B Hospital", "A病院 (改名)"]):
            await append(
                conn,
                [
                    envelop(
                        FacilityRegistered(code=f"9{i % 2}0", name=name, domain="d.example"),
                        facility=f"9{i % 2}0",
                        aggregate_id=f"fac-{i}",
                        version=1,
                        actor=TESTER,
                    )
                ],
            )
    rig.notifier.poke()

    async def caught_up() -> bool:
        return len(await rig.tally()) == 300 and await rig.runner.lag() == 0

    await wait_for(caught_up)
    live = await _rows(rig.pool)

    report = await rebuild(rig.pool, rig.nc, ProbeTally(), rig.settings, swap=False)
    assert report.events == 303
    assert report.differences == {"probe_tally": 0, "facility_names": 0}

    await rig.pool.execute("UPDATE probe_tally SET applied = 99 WHERE seq < 5")  # damage it
    report = await rebuild(rig.pool, rig.nc, ProbeTally(), rig.settings, swap=True)
    assert report.differences["probe_tally"] == 10  # 5 damaged rows, seen from both sides
    assert await _rows(rig.pool) == live
    await rig.write(5, prefix="after-swap")

    async def live_again() -> bool:
        return len(await rig.tally()) == 305

    await wait_for(live_again)
    assert set(await rig.tally()) == {1}


async def _rows(pool: asyncpg.Pool) -> tuple[list[asyncpg.Record], list[asyncpg.Record]]:
    return (
        await pool.fetch("SELECT * FROM probe_tally ORDER BY event_id"),
        await pool.fetch("SELECT * FROM facility_names ORDER BY code"),
    )
