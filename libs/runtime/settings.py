"""Settings every service has: where its database and NATS are, where it listens."""

import os
from dataclasses import dataclass
from typing import Annotated

import msgspec

from libs.config.env import load
from libs.events.settings import EventSettings, load_event_settings

M = msgspec.Meta


class CoreSettings(msgspec.Struct, frozen=True, kw_only=True):
    """Connections and listening address of one service."""

    database_url: Annotated[str, M(description="PostgreSQL DSN of the service's own database.")]
    nats_url: Annotated[str, M(description="NATS server URL(s), comma-separated.")] = (
        "nats://127.0.0.1:4222"
    )
    host: Annotated[str, M(description="Address the HTTP API listens on.")] = "127.0.0.1"
    port: Annotated[int, M(ge=0, le=65535, description="Port the HTTP API listens on.")] = 8000
    metrics_host: Annotated[
        str, M(description="Address of the monitoring listener (``metrics_port``).")
    ] = "127.0.0.1"
    metrics_port: Annotated[
        int,
        M(
            ge=0,
            le=65535,
            description="A listener of its own serving only /metrics, for monitoring. 0: the"
            " services behind the gateway serve /metrics on the API's port; the gateway, whose"
            " port is public, then serves it nowhere.",
        ),
    ] = 0
    log_level: Annotated[str, M(description="debug, info, warning or error.")] = "info"
    pool_size: Annotated[int, M(ge=1, le=200, description="Postgres connections in the pool.")] = 10
    internal_token_secret: Annotated[
        str, M(description="HMAC key of the signed tokens the gateway sends to services.")
    ] = ""

    @property
    def nats_servers(self) -> list[str]:
        return [url.strip() for url in self.nats_url.split(",") if url.strip()]


def load_core(service: str, environ: dict[str, str] | None = None) -> CoreSettings:
    """Read ``FUMIDAI_<SERVICE>_*``, falling back to ``FUMIDAI_*`` for shared values."""
    env = dict(os.environ if environ is None else environ)
    merged = {}
    for field in msgspec.structs.fields(CoreSettings):
        upper = field.encode_name.upper()
        for name in (f"FUMIDAI_{service.upper()}_{upper}", f"FUMIDAI_{upper}"):
            if name in env:
                merged[f"X_{upper}"] = env[name]
                break
    return load(CoreSettings, "X_", merged)


@dataclass(frozen=True)
class ServiceSettings:
    """What every service reads: its core settings and the event backbone's."""

    core: CoreSettings
    events: EventSettings


def load_service_settings(service: str) -> ServiceSettings:
    """``FUMIDAI_<SERVICE>_*`` (falling back to ``FUMIDAI_*``) and ``FUMIDAI_EVENTS_*``."""
    return ServiceSettings(core=load_core(service), events=load_event_settings())
