"""Loopback TCP port selection for the private dev/test servers."""

from __future__ import annotations

import random
import socket
from typing import Final

LOOPBACK: Final = "127.0.0.1"

# The host may run its own PostgreSQL and NATS on their default ports; a private server
# must never answer there, or a test could silently talk to (and mutate) the wrong one.
FOREIGN_SERVICE_PORTS: Final[frozenset[int]] = frozenset({5432, 4222, 6222, 8222})


class PortInUseError(RuntimeError):
    """Raised when an explicitly requested port is already bound by another process."""


def is_port_free(port: int, host: str = LOOPBACK) -> bool:
    """Return True if `host:port` can be bound right now (TIME_WAIT leftovers do not count)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # Both servers set SO_REUSEADDR, so a port that only has TIME_WAIT connections from a
        # previous run of the same server is usable; mirror that to keep restart() on one port.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
        return True


def free_port() -> int:
    """Return a currently unbound loopback port chosen by the kernel, never a foreign service's."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind((LOOPBACK, 0))
            port: int = sock.getsockname()[1]
        if port not in FOREIGN_SERVICE_PORTS:
            return port


QUIET_PORTS: Final = (20000, 32767)
"""Below Linux's default ephemeral range (32768–60999), where the kernel never picks a
connection's local port."""


def quiet_port() -> int:
    """A free loopback port outside the ephemeral range, for a child to bind seconds later.

    A kernel-chosen port (``free_port``) may meanwhile become the local port of an outgoing
    connection: ten service processes starting at once open hundreds, and one of them took
    a replica's port in a run of tests/faults/ ("address already in use").
    """
    while True:
        port = random.randint(*QUIET_PORTS)
        if port not in FOREIGN_SERVICE_PORTS and is_port_free(port):
            return port


def ensure_port_usable(port: int) -> None:
    """Raise ValueError for a foreign service's port and PortInUseError if `port` is bound."""
    if port in FOREIGN_SERVICE_PORTS:
        raise ValueError(
            f"port {port} belongs to a system PostgreSQL/NATS; private dev servers never use it"
        )
    if not is_port_free(port):
        raise PortInUseError(f"port {LOOPBACK}:{port} is already in use by another process")


def reserve_port(preferred: int | None = None) -> int:
    """Return `preferred` if it is usable now, else a free port (best effort: nothing is held)."""
    if preferred is not None and preferred not in FOREIGN_SERVICE_PORTS and is_port_free(preferred):
        return preferred
    return free_port()
