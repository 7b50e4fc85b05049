"""Request latency is observed by route template and status (pure: an app in process)."""

from litestar import get
from litestar.params import FromPath
from litestar.testing import create_test_client
from prometheus_client import REGISTRY

from libs.runtime.request_metrics import request_latency

ROUTE = "/things/{thing_id}"  # how Litestar spells the template


def served(route: str, status: str) -> float:
    value = REGISTRY.get_sample_value(
        "fumidai_http_request_seconds_count",
        {"method": "GET", "route": route, "status": status},
    )
    return value or 0.0


def test_requests_are_timed_by_route_template_and_status() -> None:
    @get("/things/{thing_id:str}", sync_to_thread=False)
    def thing(thing_id: FromPath[str]) -> dict[str, str]:
        return {"thing": thing_id}

    @get("/broken", sync_to_thread=False)
    def broken() -> None:
        raise RuntimeError("boom")

    before = served(ROUTE, "200"), served("/broken", "500")
    with create_test_client([thing, broken], middleware=[request_latency]) as client:
        assert client.get("/things/a").status_code == 200
        assert client.get("/things/b").status_code == 200
        assert client.get("/broken").status_code == 500
    # Two ids, one series: the template, never the raw path.
    assert served(ROUTE, "200") == before[0] + 2
    assert served("/things/a", "200") == 0.0
    assert served("/broken", "500") == before[1] + 1
