"""every: a round per interval, each under a correlation id of its own."""

import asyncio

from libs.aio.periodic import every
from libs.aio.tasks import cancel_and_wait
from libs.events.correlation import current_correlation, well_formed


async def test_each_round_runs_under_an_id_of_its_own_and_outlives_a_failure() -> None:
    seen: list[str | None] = []
    three = asyncio.Event()

    async def round_() -> None:
        seen.append(current_correlation())
        if len(seen) == 3:
            three.set()
        if len(seen) == 2:
            raise RuntimeError("the database is away")

    task = asyncio.create_task(every(0.01, round_, name="probe"))
    await asyncio.wait_for(three.wait(), 5)
    await cancel_and_wait(task)
    assert all(well_formed(one) for one in seen[:3])
    assert len(set(seen[:3])) == 3
    assert current_correlation() is None
