"""How the gateway picks a service's replica (decision 0039)."""

import asyncio

import pytest

from libs.runtime.problems import DomainError
from libs.runtime.token_keys import GATEWAY, SigningKey
from services.gateway.adapters.upstream_pool import ConnectionPool
from services.gateway.adapters.upstreams import Acting, Replicas, Upstreams, check_all
from services.gateway.settings import UpstreamSettings


def test_calls_go_round_the_replicas() -> None:
    replicas = Replicas(["http://a", "http://b"])
    assert [replicas.order()[0] for _ in range(4)] == [0, 1, 0, 1]


def test_a_failed_replica_is_tried_last_until_found_ready() -> None:
    replicas = Replicas(["http://a", "http://b", "http://c"])
    replicas.failed(1)
    assert [replicas.order() for _ in range(3)] == [[0, 2, 1], [2, 0, 1], [2, 0, 1]]
    replicas.checked(1, True)
    assert 1 in replicas.order()[:2]


def test_one_url_is_always_called() -> None:
    replicas = Replicas(["http://only"])
    replicas.failed(0)
    assert replicas.order() == [0]
    assert not replicas.spread


async def test_check_all_records_each_answer() -> None:
    replicas = Replicas(["http://a", "http://b"])

    async def ready(url: str) -> bool:
        return url == "http://b"

    await check_all([replicas], ready)
    assert replicas.order() == [1, 0]
    assert replicas.any_ready()


class _Replica:
    """A raw HTTP replica on loopback: ``acts_then_dies`` reads the request and closes
    without answering (a replica killed after it committed); otherwise it answers 200."""

    def __init__(self, acts_then_dies: bool) -> None:
        self.acts_then_dies = acts_then_dies
        self.requests: list[bytes] = []
        self.server: asyncio.Server | None = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.requests.append(await reader.read(65536))
        if not self.acts_then_dies:
            writer.write(
                b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: application/json\r\n\r\n{}"
            )
            await writer.drain()
        writer.close()

    async def start(self) -> str:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = self.server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"


async def _two_replicas() -> tuple[Upstreams, _Replica, _Replica]:
    dies, answers = _Replica(acts_then_dies=True), _Replica(acts_then_dies=False)
    urls = [await dies.start(), await answers.start()]
    upstreams = Upstreams(
        UpstreamSettings(identity_url=",".join(urls), upstream_timeout_s=2.0),
        SigningKey.generate(GATEWAY),
    )
    # The pools alone, without the readiness watch: these raw replicas answer no checks,
    # and the order of the calls is the round's (the first replica first).
    upstreams.pools["identity"] = [ConnectionPool(url) for url in urls]
    return upstreams, dies, answers


ADMIN = Acting(sub="admin-1", role="admin", facility="f1", ip=None)


@pytest.mark.parametrize("method", ["PUT", "DELETE", "POST", "PATCH"])
async def test_a_write_is_not_sent_again_to_another_replica(method: str) -> None:
    """A replica that took a write and died before answering may have committed it: the
    caller hears 503, and the write is not made again elsewhere (a PUT would answer 409 and
    hide the password it issued; a DELETE 404)."""
    upstreams, dies, answers = await _two_replicas()
    with pytest.raises(DomainError) as refused:
        await upstreams.call("identity", method, "/internal/v1/x", ADMIN, json={"version": 3})
    assert refused.value.status == 503
    assert len(dies.requests) == 1
    assert answers.requests == []


async def test_a_read_goes_to_the_next_replica() -> None:
    upstreams, dies, answers = await _two_replicas()
    answer = await upstreams.call("identity", "GET", "/internal/v1/x", ADMIN)
    assert answer.status_code == 200
    assert (len(dies.requests), len(answers.requests)) == (1, 1)
