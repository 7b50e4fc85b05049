"""The faults, each a coroutine doing one to a running cluster, and how a case is run
under load and accounted for (decision 0040). Shared by tests/faults/ and bench/faults.py."""

import asyncio
import dataclasses
import os
import signal
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from nats.aio.client import Client as NATS

from libs.devservers.local_cluster import LocalCluster
from libs.devservers.suite import SERVICES
from libs.events.catalogue import CONTEXTS
from libs.events.settings import EventSettings
from tests.faults.accounting import Accounting, settle
from tests.faults.load import Ledger, World, running_load

Fault = Callable[[LocalCluster, NATS], Awaitable[str]]
"""Does a fault; says what it did, in a few words."""


@dataclass
class CaseResult:
    name: str
    did: str
    accounting: Accounting
    ledger: Ledger
    recovery_s: float
    """From the fault's end to every consumer caught up and every replica ready (the load's
    seconds after the fault included)."""
    catch_up_s: float
    """From the load's end to the same."""

    def line(self) -> str:
        a = self.accounting
        return (
            f"{self.name}: {self.did}; failed requests {dict(self.ledger.failed) or 0} of "
            f"{sum(self.ledger.done.values()) + sum(self.ledger.failed.values())} "
            f"({dict(self.ledger.answers) or 'none'}); "
            f"events {a.events} lost {a.lost} doubled {a.doubled} dead letters "
            f"{a.dead_letters}; audit rows {a.audit_rows}/{a.decisions}; mail sent "
            f"{a.mail_sent} lost {a.mail_lost} doubled {a.mail_doubled}; recovery "
            f"{self.recovery_s:.1f} s (after the load {self.catch_up_s:.1f} s)"
        )


async def busiest_stream(nc: NATS) -> str:
    js = nc.jetstream()
    settings = EventSettings()
    sizes = {}
    for context in CONTEXTS:
        name = settings.stream_name(context)
        sizes[name] = (await js.stream_info(name)).state.messages
    return max(sizes, key=lambda name: sizes[name])


async def kill_leader(cluster: LocalCluster, nc: NATS) -> str:
    """kill -9 the node that leads the busiest stream; start it again."""
    assert cluster.nats is not None
    stream = await busiest_stream(nc)
    info = await nc.jetstream().stream_info(stream)
    assert info.cluster is not None and info.cluster.leader is not None
    node = cluster.nats.node(info.cluster.leader)
    node.kill()
    await asyncio.sleep(3)
    await asyncio.to_thread(node.start)
    return f"killed {node.server_name}, leader of {stream}, restarted after 3 s"


def stop_node(seconds: float) -> Fault:
    async def fault(cluster: LocalCluster, nc: NATS) -> str:
        """SIGSTOP a node (the one the first service URL names) for ``seconds``."""
        assert cluster.nats is not None
        node = cluster.nats.nodes[0]
        assert node.pid is not None
        os.kill(node.pid, signal.SIGSTOP)
        try:
            await asyncio.sleep(seconds)
        finally:
            os.kill(node.pid, signal.SIGCONT)
        return f"SIGSTOP {node.server_name} for {seconds:g} s, then SIGCONT"

    return fault


async def kill_replicas(cluster: LocalCluster, nc: NATS) -> str:
    """kill -9 one replica of each service in the middle of requests; start them again."""
    suite = cluster.suite
    assert suite is not None
    killed = [f"{service}-2" for service in SERVICES]
    for instance in killed:
        suite.processes[instance].send_signal(signal.SIGKILL)
        await asyncio.sleep(0.3)
    for instance in killed:
        await asyncio.to_thread(suite.processes[instance].wait, 10)
    await asyncio.sleep(2)
    for instance in killed:
        suite.restart(instance)
    return "killed " + ", ".join(killed) + " (SIGKILL), restarted after 2 s"


async def restart_postgres(cluster: LocalCluster, nc: NATS) -> str:
    assert cluster.postgres is not None
    await asyncio.to_thread(cluster.postgres.stop)
    await asyncio.sleep(2)
    await asyncio.to_thread(cluster.postgres.start)
    return "stopped PostgreSQL, started it again after 2 s"


async def fill_stream(cluster: LocalCluster, nc: NATS) -> str:
    """The busiest stream at its storage limit: its byte limit set to what it holds
    (terminals' stream discards new messages at the limit, decision 0036), for 6 s."""
    js = nc.jetstream()
    stream = await busiest_stream(nc)
    info = await js.stream_info(stream)
    await js.update_stream(dataclasses.replace(info.config, max_bytes=info.state.bytes))
    # What landed between the look and the limit is in; from here on nothing may be.
    full = (await js.stream_info(stream)).state.messages
    await asyncio.sleep(6)
    held = (await js.stream_info(stream)).state.messages
    await js.update_stream(dataclasses.replace(info.config, max_bytes=-1))
    # Nothing was taken while full: the events waited in their owner's outbox.
    assert held == full, (held, full)
    return f"{stream} held full at {info.state.bytes} bytes (max_bytes) for 6 s, took no event"


async def replicas_ready(cluster: LocalCluster) -> None:
    assert cluster.suite is not None
    await asyncio.to_thread(cluster.suite.wait_ready, 120)


async def run_case(
    name: str,
    fault: Fault,
    cluster: LocalCluster,
    nc: NATS,
    world: World,
    *,
    before_s: float = 3.0,
    after_s: float = 3.0,
) -> CaseResult:
    """Load for ``before_s``, the fault, load for ``after_s`` more; then wait for every
    replica and consumer, and account."""
    ledger = Ledger()
    async with running_load(world, ledger):
        await asyncio.sleep(before_s)
        did = await fault(cluster, nc)
        ended = time.monotonic()
        await asyncio.sleep(after_s)
    stopped = time.monotonic()
    await replicas_ready(cluster)
    accounting, _ = await settle(cluster, nc, ledger, timeout=90)
    now = time.monotonic()
    return CaseResult(name, did, accounting, ledger, now - ended, now - stopped)
