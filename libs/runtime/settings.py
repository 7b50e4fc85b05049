"""Settings every service has: where its database and NATS are, where it listens."""

import os
from dataclasses import dataclass
from typing import Annotated, Generic, Literal, TypeVar

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
    log_format: Annotated[
        Literal["text", "json"],
        M(description="text (readable, the default on a workstation) or json (deployments)."),
    ] = "text"
    pool_size: Annotated[int, M(ge=1, le=200, description="Postgres connections in the pool.")] = 10
    nats_nkey_seed_file: Annotated[
        str,
        M(
            description="File holding the service's NKey seed, its own NATS identity "
            "(decision 0026); empty connects without one, which a server with "
            "authorization refuses."
        ),
    ] = ""
    nats_tls_ca_file: Annotated[
        str,
        M(
            description="CA bundle the NATS server's certificate is checked against; set, "
            "the connection uses TLS."
        ),
    ] = ""
    nats_tls_cert_file: Annotated[
        str, M(description="Client certificate for NATS, when the server asks for one.")
    ] = ""
    nats_tls_key_file: Annotated[str, M(description="Key of nats_tls_cert_file.")] = ""
    token_signing_key: Annotated[
        str,
        M(
            description="A caller's own Ed25519 key for the internal tokens it sends, "
            "issuer:kid:base64url (the gateway's; services that call no one have none)."
        ),
    ] = ""
    token_trusted_keys: Annotated[
        tuple[str, ...],
        M(
            description="Public keys of the callers whose internal tokens this service "
            "accepts, issuer:kid:base64url, comma-separated; two of one issuer during a roll."
        ),
    ] = ()

    @property
    def nats_servers(self) -> list[str]:
        return [url.strip() for url in self.nats_url.split(",") if url.strip()]


OWN_ONLY = frozenset({"token_signing_key"})
"""Settings read only under the service's own name: a shared signing key would let every
service sign as the caller the key belongs to (docs/decisions/0027)."""


def load_core(service: str, environ: dict[str, str] | None = None) -> CoreSettings:
    """Read ``FUMIDAI_<SERVICE>_*``, falling back to ``FUMIDAI_*`` for shared values
    (except ``OWN_ONLY``)."""
    env = dict(os.environ if environ is None else environ)
    merged = {}
    for field in msgspec.structs.fields(CoreSettings):
        upper = field.encode_name.upper()
        names = [f"FUMIDAI_{service.upper()}_{upper}", f"FUMIDAI_{upper}"]
        if field.name in OWN_ONLY:
            names.pop()
        for name in names:
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


Own = TypeVar("Own", bound=msgspec.Struct)


@dataclass(frozen=True)
class SettingsWithOwn(ServiceSettings, Generic[Own]):
    """A service's settings: what every service reads, and what only it reads (``own``)."""

    own: Own


def load_settings_with_own(service: str, own: type[Own], name: str) -> SettingsWithOwn[Own]:
    """``load_service_settings(service)`` and ``own`` from ``FUMIDAI_<NAME>_*`` (``name`` is
    the service's, whichever replica ``service`` names)."""
    common = load_service_settings(service)
    return SettingsWithOwn(
        core=common.core, events=common.events, own=load(own, f"FUMIDAI_{name.upper()}_")
    )
