"""cancel_and_wait: every task cancelled first, each awaited to its end, None skipped."""

import asyncio

from libs.aio.tasks import cancel_and_wait


async def test_cancels_every_task_before_waiting_and_waits_for_their_cleanup() -> None:
    order: list[str] = []

    async def worker(name: str) -> None:
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            order.append(f"{name} cancelled")
            await asyncio.sleep(0.01)  # clean-up that takes a moment
            order.append(f"{name} cleaned up")
            raise

    tasks = [asyncio.create_task(worker(name)) for name in ("a", "b")]
    await asyncio.sleep(0)
    await cancel_and_wait(tasks[0], None, tasks[1])
    assert all(task.done() and task.cancelled() for task in tasks)
    assert order[:2] == ["a cancelled", "b cancelled"]  # both cancelled before either ended
    assert sorted(order[2:]) == ["a cleaned up", "b cleaned up"]


async def test_a_finished_task_or_none_is_fine() -> None:
    async def quick() -> int:
        return 1

    done = asyncio.create_task(quick())
    await done
    await cancel_and_wait(done, None)
    await cancel_and_wait()
