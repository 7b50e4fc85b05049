"""gateway's own settings: where the services behind it are."""

from typing import Annotated

import msgspec

from libs.config.env import load
from services.identity.contract import CSV_LIMITS_PREFIX, CsvLimits

M = msgspec.Meta


class UpstreamSettings(msgspec.Struct, frozen=True, kw_only=True):
    """Base URLs of the internal APIs the gateway composes: each one URL, or its replicas'
    URLs comma-separated, which the gateway spreads calls across (decision 0039)."""

    identity_url: Annotated[
        str, M(description="identity's internal API; replicas comma-separated.")
    ] = "http://127.0.0.1:8001"
    terminals_url: Annotated[
        str, M(description="terminals' internal API; replicas comma-separated.")
    ] = "http://127.0.0.1:8002"
    audit_url: Annotated[str, M(description="audit's internal API; replicas comma-separated.")] = (
        "http://127.0.0.1:8003"
    )
    fileshare_url: Annotated[
        str, M(description="fileshare's internal API; replicas comma-separated.")
    ] = "http://127.0.0.1:8004"
    upstream_timeout_s: Annotated[float, M(gt=0, description="Timeout of one upstream call.")] = 5.0

    def urls(self) -> dict[str, list[str]]:
        """Service name → its replicas' base URLs."""
        given = {
            "identity": self.identity_url,
            "terminals": self.terminals_url,
            "audit": self.audit_url,
            "fileshare": self.fileshare_url,
        }
        return {
            name: [u.strip() for u in urls.split(",") if u.strip()] for name, urls in given.items()
        }


def load_upstreams() -> UpstreamSettings:
    """Read ``FUMIDAI_GATEWAY_*_URL``."""
    return load(UpstreamSettings, "FUMIDAI_GATEWAY_")


class GatewayOwn(msgspec.Struct, frozen=True, kw_only=True):
    """Sessions and protection of the public surfaces."""

    cookie_secure: Annotated[
        bool,
        M(
            description="Mark the session cookies Secure and send HSTS. On unless turned off:"
            " only a suite served over plain http (``./fumidai up``, tests) says false"
            " (docs/decisions/0028).",
        ),
    ] = True
    session_idle_minutes: Annotated[int, M(ge=1, description="Idle timeout (SPEC L5).")] = 30
    session_absolute_hours: Annotated[int, M(ge=1, description="Absolute timeout (L5).")] = 12
    session_cache_s: Annotated[
        float,
        M(
            ge=0,
            description="How long a replica reuses a session it read (0: never). Changes reach"
            " every replica at once by NOTIFY; this bounds only a notification lost unnoticed.",
        ),
    ] = 5.0
    signin_per_account: Annotated[
        int,
        M(
            ge=1,
            description="Sign-in requests per account from one address per window (decision"
            " 0031: from everywhere, it would let anyone keep the owner out).",
        ),
    ] = 20
    signin_per_address: Annotated[
        int, M(ge=1, description="Sign-in requests per source address per window.")
    ] = 100
    signin_window_minutes: Annotated[int, M(ge=1, description="Rate-limit window.")] = 15
    recovery_per_account: Annotated[
        int,
        M(ge=1, description="「パスワードを忘れた場合」 requests per account typed per window."),
    ] = 5
    recovery_per_address: Annotated[
        int,
        M(
            ge=1,
            description="「パスワードを忘れた場合」 requests and link steps per address per window.",
        ),
    ] = 30
    trusted_proxies: Annotated[
        tuple[str, ...],
        M(description="Addresses or CIDR ranges of proxies whose X-Forwarded-For is believed."),
    ] = ()
    ui_dir: Annotated[
        str,
        M(
            description="The built admin console (ui/dist) served at /; empty or missing:"
            " / answers 503 saying how to build it.",
        ),
    ] = ""


def load_gateway_own() -> GatewayOwn:
    """Read ``FUMIDAI_GATEWAY_*`` (sessions and protection)."""
    return load(GatewayOwn, "FUMIDAI_GATEWAY_")


def load_csv_limits() -> CsvLimits:
    """Read identity's CSV limits (``FUMIDAI_IDENTITY_CSV_MAX_*``): the gateway refuses a
    larger upload before relaying it, at the limit identity is configured with."""
    return load(CsvLimits, CSV_LIMITS_PREFIX)
