"""How the gateway picks a service's replica (decision 0039)."""

from services.gateway.adapters.upstreams import Replicas, check_all


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
