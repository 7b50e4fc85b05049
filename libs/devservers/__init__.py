"""Private, real PostgreSQL and NATS JetStream servers on free loopback ports.

Used by the test harness and by ``./fumidai up``. They never use (nor rely on) a system
PostgreSQL on 5432 or NATS on 4222, and an atexit hook stops any server still running when
Python exits.
"""

from libs.devservers.nats import EmbeddedNats, NatsError
from libs.devservers.ports import PortInUseError, free_port, is_port_free, reserve_port
from libs.devservers.postgres import EmbeddedPostgres, PostgresError

__all__ = [
    "EmbeddedNats",
    "EmbeddedPostgres",
    "NatsError",
    "PortInUseError",
    "PostgresError",
    "free_port",
    "is_port_free",
    "reserve_port",
]
