"""gateway's composition root."""

from datetime import timedelta
from pathlib import Path

import asyncpg
from litestar import Litestar

from libs.config.env import SettingsError
from libs.runtime.backbone import service_backbone
from libs.runtime.settings import ServiceSettings
from libs.runtime.token_keys import GATEWAY, MalformedKey, SigningKey
from services.gateway.adapters.session_cache import SessionCache
from services.gateway.adapters.sessions import SessionStore
from services.gateway.adapters.throttle import Throttle
from services.gateway.adapters.upstreams import Upstreams
from services.gateway.bus import RIGHTS
from services.gateway.consumers import PROJECTIONS
from services.gateway.http import create_app
from services.gateway.settings import (
    GatewayOwn,
    UpstreamSettings,
    load_csv_limits,
    load_gateway_own,
    load_upstreams,
)
from services.identity.contract import CsvLimits

SERVICE = "gateway"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def bootstrap(
    settings: ServiceSettings,
    upstreams: UpstreamSettings | None = None,
    own: GatewayOwn | None = None,
    csv: CsvLimits | None = None,
) -> Litestar:
    """Wire the gateway's backbone, sessions, rate limits and upstream clients into its
    HTTP app; the settings not given are read from the environment."""
    backbone = service_backbone(
        SERVICE, settings, MIGRATIONS, projections=PROJECTIONS, rights=RIGHTS
    )
    own = own or load_gateway_own()

    def pool() -> asyncpg.Pool:
        return backbone.pool

    sessions = SessionStore(
        pool,
        idle=timedelta(minutes=own.session_idle_minutes),
        absolute=timedelta(hours=own.session_absolute_hours),
        cache=SessionCache(backbone.core.database_url, own.session_cache_s),
    )
    return create_app(
        backbone,
        Upstreams(upstreams or load_upstreams(), signing_key(settings.core.token_signing_key)),
        sessions,
        Throttle(pool, timedelta(minutes=own.signin_window_minutes)),
        own,
        csv or load_csv_limits(),
    )


def signing_key(text: str) -> SigningKey:
    """The gateway's own token key; without it no call to a service could succeed."""
    try:
        key = SigningKey.parse(text)
    except MalformedKey as error:
        raise SettingsError(f"FUMIDAI_GATEWAY_TOKEN_SIGNING_KEY: {error}") from error
    if key.issuer != GATEWAY:
        # Services grant each issuer only its own roles: another's key would misname us.
        raise SettingsError(f"FUMIDAI_GATEWAY_TOKEN_SIGNING_KEY is {key.issuer}'s, not gateway's")
    return key
