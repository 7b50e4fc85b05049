"""cancel_and_wait: every task cancelled first, each awaited to its end, None skipped."""

import asyncio
import contextlib

import pytest

from libs.aio import tasks as tasks_module
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


async def test_a_swallowed_cancel_is_cancelled_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """A task that swallows its first cancel (as a cancel racing ``wait_for``'s timeout can
    on Python 3.11) still ends: awaiting it once would never have returned."""
    monkeypatch.setattr(tasks_module, "RECANCEL_S", 0.05)
    forever = asyncio.Event()

    async def swallows_once() -> None:
        with contextlib.suppress(asyncio.CancelledError):
            await forever.wait()
        await forever.wait()

    task = asyncio.create_task(swallows_once())
    await asyncio.sleep(0)
    stopping = asyncio.create_task(cancel_and_wait(task))
    done, _ = await asyncio.wait({stopping}, timeout=5)
    forever.set()  # lets the task end either way, so a failure does not hang the run
    await asyncio.gather(stopping, task, return_exceptions=True)
    assert stopping in done, "cancel_and_wait waited on a task that had swallowed its cancel"
    assert task.cancelled()
