"""terminals' settings: the common ones plus its own (``FUMIDAI_TERMINALS_*``)."""

from typing import Annotated

import msgspec

from libs.runtime.settings import SettingsWithOwn, load_settings_with_own

SERVICE = "terminals"
M = msgspec.Meta


class TerminalsOwn(msgspec.Struct, frozen=True, kw_only=True):
    """What only terminals reads."""

    heartbeat_timeout_s: Annotated[
        float, M(gt=0, description="Silence after which a live session is timed out (C3).")
    ] = 300.0
    sweep_interval_s: Annotated[
        float, M(gt=0, description="How often silent sessions are looked for.")
    ] = 15.0
    grant_ttl_s: Annotated[
        float, M(gt=0, description="How long an allowed decision may start its session.")
    ] = 120.0
    poll_wait_max_s: Annotated[
        float, M(gt=0, le=60, description="Longest an agent's control-channel poll is held.")
    ] = 25.0
    order_recheck_s: Annotated[
        float, M(gt=0, description="How often held polls look in Postgres for missed orders.")
    ] = 1.0
    credential_cache_s: Annotated[
        float, M(ge=0, description="How long a verified agent credential is trusted unread.")
    ] = 5.0
    trusted_proxies: Annotated[
        tuple[str, ...],
        M(
            description="Addresses or CIDR ranges whose X-Forwarded-For names the agent "
            "(the gateway's): the source address recorded with every decision and session."
        ),
    ] = ()


TerminalsSettings = SettingsWithOwn[TerminalsOwn]


def load_terminals_settings(service: str = SERVICE) -> TerminalsSettings:
    """``FUMIDAI_TERMINALS_*`` (falling back to ``FUMIDAI_*``) and ``FUMIDAI_EVENTS_*``."""
    return load_settings_with_own(service, TerminalsOwn, SERVICE)
