"""Which replica of a service the gateway calls next (decision 0039).

Calls go round the replicas in turn. A replica that refused a connection, broke one, or
did not answer its readiness check is skipped until a later check finds it ready again;
it is still tried last, so that a wrong verdict costs a slower call, never a refusal. A
service with one URL is always called there, as before replicas existed.
"""

import asyncio
from collections.abc import Awaitable, Callable, Sequence

HEALTH_INTERVAL_S = 1.0
"""How often each replica's ``/health/ready`` is asked, when a service has more than one."""


class Replicas:
    """One service's replicas: their URLs and what the gateway last heard of each."""

    def __init__(self, urls: Sequence[str]) -> None:
        if not urls:
            raise ValueError("a service needs at least one URL")
        self.urls = list(urls)
        self._healthy = [True] * len(self.urls)
        self._next = 0

    @property
    def spread(self) -> bool:
        """More than one replica: worth choosing between, and checking."""
        return len(self.urls) > 1

    def order(self) -> list[int]:
        """The replicas to try for one call, by index: the healthy ones from the next in
        turn, then the others."""
        count = len(self.urls)
        if count == 1:
            return [0]
        start, self._next = self._next, (self._next + 1) % count
        turn = [(start + step) % count for step in range(count)]
        return [i for i in turn if self._healthy[i]] + [i for i in turn if not self._healthy[i]]

    def failed(self, index: int) -> None:
        """A call could not reach replica ``index``: skip it until it is found ready."""
        self._healthy[index] = False

    def checked(self, index: int, ready: bool) -> None:
        self._healthy[index] = ready

    def any_ready(self) -> bool:
        return any(self._healthy)


Check = Callable[[str], Awaitable[bool]]
"""Whether the replica at a base URL answers its readiness check."""


async def check_all(replicas: Sequence[Replicas], ready: Check) -> None:
    """Ask every replica of every service once, in parallel; record the answers."""

    async def one(group: Replicas, index: int) -> None:
        group.checked(index, await ready(group.urls[index]))

    await asyncio.gather(*(one(g, i) for g in replicas for i in range(len(g.urls))))


async def watch(replicas: Sequence[Replicas], ready: Check) -> None:
    """Check the replicas of services that have several, forever (a task of the gateway)."""
    spread = [group for group in replicas if group.spread]
    if not spread:
        return
    while True:
        await check_all(spread, ready)
        await asyncio.sleep(HEALTH_INTERVAL_S)
