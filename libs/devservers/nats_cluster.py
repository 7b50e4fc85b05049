"""Three nats-server nodes clustered with JetStream on loopback (decision 0039).

The shape of deploy/nats/nats-*.conf on one machine: one cluster name, every node routing
to all three (a node ignores the route to itself), JetStream on each with its own store.
A node killed and started again comes back on the same ports and store, and catches up
from the others.
"""

from collections.abc import Sequence
from pathlib import Path

from libs.devservers.nats import EmbeddedNats
from libs.devservers.natsauth import NatsUser
from libs.devservers.ports import LOOPBACK, quiet_port

CLUSTER_NAME = "fumidai-local"


def _distinct_ports(count: int) -> list[int]:
    ports: list[int] = []
    while len(ports) < count:
        port = quiet_port()
        if port not in ports:
            ports.append(port)
    return ports


class NatsCluster:
    """``size`` JetStream nodes in ``folder`` (``nats-1`` …), each letting ``users`` in; one
    node is a plain server (no cluster block), for measuring against the clustered shape."""

    def __init__(self, folder: Path, users: Sequence[NatsUser], size: int = 3) -> None:
        routes_ports = _distinct_ports(size)
        routes = [f"nats-route://{LOOPBACK}:{port}" for port in routes_ports]
        self.nodes = [
            EmbeddedNats(
                folder / f"nats-{n}",
                server_name=f"nats-{n}",
                users=users,
                # Three nodes start together: the first is ready only once a meta leader
                # is elected, which needs a second one up.
                startup_timeout=60.0,
                cluster={
                    "name": CLUSTER_NAME,
                    "host": LOOPBACK,
                    "port": port,
                    "routes": routes,
                }
                if size > 1
                else None,
            )
            for n, port in enumerate(routes_ports, start=1)
        ]

    @property
    def url(self) -> str:
        """Every node's client URL, comma-separated (what ``FUMIDAI_NATS_URL`` takes)."""
        return ",".join(node.url for node in self.nodes)

    @property
    def urls(self) -> list[str]:
        return [node.url for node in self.nodes]

    def node(self, server_name: str) -> EmbeddedNats:
        """The node JetStream calls ``server_name`` (a stream's leader, say)."""
        for node in self.nodes:
            if node.server_name == server_name:
                return node
        raise KeyError(server_name)

    def start(self) -> None:
        """Start every node together; return once each serves JetStream."""
        offsets = [node.launch() for node in self.nodes]
        try:
            for node, offset in zip(self.nodes, offsets, strict=True):
                node.await_ready(offset)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()
