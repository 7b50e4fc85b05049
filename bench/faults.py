"""The fault suite's longer version (issue 17, decisions 0039 and 0040).

Starts the single shape (one NATS node, one replica of every service) and measures
connection decisions per second through the gateway; stops it; starts the local cluster
(three NATS nodes, R3, two replicas of everything), measures the same, then runs every
fault of tests/faults/ under the same mixed load with the service defaults (10 s ack
wait) and a NATS node stopped for 30 s, each ended by exact accounting.

    .venv/bin/python -m bench.faults            # about 6–8 minutes on 2 cores

Last line: one JSON object with faults_events_lost, faults_events_doubled,
faults_recovery_max_s (from a fault's end, its 10 s of load after included),
faults_catch_up_max_s (from the load's end), faults_failed_requests (per case),
cluster_decisions_per_s and single_decisions_per_s.
"""

import argparse
import asyncio
import json
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import nats

from bench.events import machine_reference_ms
from libs.devservers.local_cluster import LocalCluster
from libs.devservers.natsauth import NatsUser, connect_options, new_user
from tests.faults.cases import (
    CaseResult,
    Fault,
    fill_stream,
    kill_leader,
    kill_replicas,
    restart_postgres,
    run_case,
    stop_node,
)
from tests.faults.load import World, prepare_world

CONCURRENCY = 8
"""Agents deciding at once while decisions are measured."""


async def decisions_per_s(world: World, seconds: float) -> float:
    """Connection decisions answered 200 per second, ``CONCURRENCY`` agents at once, spread
    over the gateways."""
    auth = {"Authorization": f"Bearer {world.agent_token}"}
    clients = [httpx.AsyncClient(base_url=url, timeout=15) for url in world.gateways]
    done = 0
    deadline = time.monotonic() + seconds

    async def agent(n: int) -> None:
        nonlocal done
        user = world.users[n % len(world.users)]
        http = clients[n % len(clients)]
        body = {"account": user["account"], "mac": user["mac"]}
        while time.monotonic() < deadline:
            answer = await http.post("/agent/v1/decisions", json=body, headers=auth)
            done += answer.status_code == 200

    started = time.monotonic()
    await asyncio.gather(*(agent(n) for n in range(CONCURRENCY)))
    elapsed = time.monotonic() - started
    for client in clients:
        await client.aclose()
    return done / elapsed


async def measure(cluster: LocalCluster, code: str, seconds: float) -> tuple[World, float]:
    assert cluster.suite is not None
    world = await prepare_world(cluster.suite, code)
    await decisions_per_s(world, 3.0)  # warm
    return world, await decisions_per_s(world, seconds)


async def faults(
    cluster: LocalCluster, harness: NatsUser, world: World, stop_s: float
) -> list[CaseResult]:
    assert cluster.nats is not None
    cases: dict[str, Fault] = {
        "nats_leader_killed": kill_leader,
        "nats_node_stopped": stop_node(stop_s),
        "replicas_killed": kill_replicas,
        "postgres_restarted": restart_postgres,
        "stream_full": fill_stream,
    }
    nc = await nats.connect(
        servers=cluster.nats.urls, max_reconnect_attempts=-1, **connect_options(harness)
    )
    results = []
    try:
        for name, fault in cases.items():
            result = await run_case(name, fault, cluster, nc, world, before_s=10, after_s=10)
            print(result.line(), flush=True)
            results.append(result)
    finally:
        await nc.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="per throughput figure")
    parser.add_argument("--stop-s", type=float, default=30.0, help="SIGSTOP of a NATS node")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="fumidai-bench-faults-"))
    folder.chmod(0o755)
    say = lambda text: print(text, flush=True)  # noqa: E731
    try:
        single = LocalCluster(folder / "single", say, nodes=1, replicas=1)
        try:
            single.start()
            _, single_rate = asyncio.run(measure(single, "871", args.seconds))
        finally:
            single.stop()
        say(f"single: {single_rate:.1f} decisions/s")
        harness = new_user("harness", None)
        cluster = LocalCluster(folder / "cluster", say, also_users=[harness])
        try:
            cluster.start()
            world, cluster_rate = asyncio.run(measure(cluster, "872", args.seconds))
            say(f"cluster: {cluster_rate:.1f} decisions/s")
            results = asyncio.run(faults(cluster, harness, world, args.stop_s))
        finally:
            cluster.stop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    summary: dict[str, Any] = {
        "faults_events_lost": sum(r.accounting.lost for r in results),
        "faults_events_doubled": sum(r.accounting.doubled for r in results),
        "faults_dead_letters": sum(r.accounting.dead_letters for r in results),
        "faults_recovery_max_s": round(max(r.recovery_s for r in results), 1),
        "faults_catch_up_max_s": round(max(r.catch_up_s for r in results), 1),
        "faults_failed_requests": {r.name: sum(r.ledger.failed.values()) for r in results},
        "cluster_decisions_per_s": round(cluster_rate, 1),
        "single_decisions_per_s": round(single_rate, 1),
        "machine_reference_ms": machine_reference_ms(),
    }
    print(json.dumps(summary), flush=True)


if __name__ == "__main__":
    main()
