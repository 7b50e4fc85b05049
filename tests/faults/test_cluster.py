"""``./fumidai up --cluster``'s shape, started as tests start it (decision 0039): every
replica ready, every stream and the object store on three nodes, and the gateway going
on while one replica of a service is gone."""

import asyncio
import signal

import httpx
from nats.aio.client import Client as NATS

from libs.devservers.local_cluster import STREAM_REPLICAS, LocalCluster
from libs.devservers.suite import SERVICES
from libs.events.catalogue import CONTEXTS
from libs.events.settings import EventSettings
from tests.gateway_support import register, sign_in_admin


async def test_every_replica_is_ready_and_every_stream_has_three(
    cluster: LocalCluster, cluster_nc: NATS
) -> None:
    suite = cluster.suite
    assert suite is not None
    assert len(suite.all_instances()) == 2 * len(SERVICES)
    async with httpx.AsyncClient(timeout=5) as http:
        for instance in suite.all_instances():
            ready = await http.get(f"{suite.url(instance)}/health/ready")
            assert ready.status_code == 200, (instance, ready.text)
    js = cluster_nc.jetstream()
    events = EventSettings()
    names = [events.stream_name(c) for c in CONTEXTS] + ["OBJ_FUMIDAI_FILES"]
    for name in names:
        info = await js.stream_info(name)
        assert info.config.num_replicas == STREAM_REPLICAS, name
        assert info.cluster is not None and info.cluster.leader, name
        assert len(info.cluster.replicas or []) == STREAM_REPLICAS - 1, name


async def test_the_gateway_spreads_and_skips_a_dead_replica(cluster: LocalCluster) -> None:
    suite = cluster.suite
    assert suite is not None
    _, account, password, second = await register(suite, "771")
    admin = await sign_in_admin(suite.url("gateway"), "771", account, password, second)
    try:
        # The session is shared: the second gateway serves the same admin.
        other = httpx.AsyncClient(base_url=suite.url("gateway-2"), cookies=admin.http.cookies)
        listed = await other.get(admin.path("/users"))
        assert listed.status_code == 200, listed.text
        await other.aclose()

        suite.processes["identity"].send_signal(signal.SIGKILL)
        suite.processes["identity"].wait(10)
        answers = [(await admin.get("/users")).status_code for _ in range(20)]
        assert answers == [200] * 20, answers  # every call went to identity-2
        made = await admin.send("POST", "/terminals", json={"name": "replica-test", "user_ids": []})
        assert made.status_code == 201, made.text
    finally:
        await admin.http.aclose()
        suite.restart("identity")
        await asyncio.to_thread(suite.wait_ready, 60)
