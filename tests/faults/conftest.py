"""One local cluster (decision 0039) for the whole fault folder: starting it takes a
minute on a small machine, and every case leaves it whole again for the next."""

import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import nats
import pytest
from nats.aio.client import Client as NATS

from libs.devservers.local_cluster import LocalCluster
from libs.devservers.natsauth import NatsUser, connect_options, new_user
from tests.faults.load import World, prepare_world


@pytest.fixture(scope="session")
def harness_user() -> NatsUser:
    return new_user("harness", None)


@pytest.fixture(scope="session")
def cluster(harness_user: NatsUser) -> Iterator[LocalCluster]:
    # Searchable, outside pytest's mode-700 folders: as root, PostgreSQL runs as its own
    # system user and must reach its data here.
    folder = Path(tempfile.mkdtemp(prefix="fumidai-cluster-"))
    folder.chmod(0o755)
    local = LocalCluster(folder / "cluster", also_users=[harness_user])
    try:
        local.start()
        yield local
    finally:
        local.stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
async def cluster_nc(cluster: LocalCluster, harness_user: NatsUser) -> AsyncIterator[NATS]:
    """A connection to every node of the cluster, with every right."""
    assert cluster.nats is not None
    client = await nats.connect(
        servers=cluster.nats.urls,
        max_reconnect_attempts=-1,
        reconnect_time_wait=0.2,
        **connect_options(harness_user),
    )
    yield client
    await client.close()


@pytest.fixture(scope="session")
async def world(cluster: LocalCluster) -> AsyncIterator[World]:
    """A facility on the cluster with what the load needs (``prepare_world``)."""
    assert cluster.suite is not None
    prepared = await prepare_world(cluster.suite, "881")
    try:
        yield prepared
    finally:
        await prepared.admin.http.aclose()
