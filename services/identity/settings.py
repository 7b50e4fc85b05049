"""identity's settings: the common ones plus its own (``FUMIDAI_IDENTITY_*``)."""

from dataclasses import dataclass, field
from typing import Annotated

import msgspec

from libs.config.env import load
from libs.events.settings import EventSettings, load_event_settings
from libs.mail.smtp import SmtpSettings
from libs.runtime.settings import CoreSettings, ServiceSettings, load_core
from services.identity.contract.limits import CsvLimits

SERVICE = "identity"
M = msgspec.Meta


class IdentityOwn(CsvLimits, frozen=True, kw_only=True):
    """What only identity reads, and the CSV limits, which the gateway reads too (their
    group is identity's contract's)."""

    totp_key: Annotated[
        str,
        M(description="Key that encrypts TOTP secrets at rest (urlsafe base64 of 32 bytes)."),
    ] = ""
    lockout_failures: Annotated[
        int,
        M(
            ge=1,
            description="Failures in a row from one address that lock the account from that"
            " address (L4, docs/decisions/0031).",
        ),
    ] = 5
    lockout_ceiling: Annotated[
        int,
        M(
            ge=1,
            description="Failures in a row from all addresses that lock the account from"
            " everywhere (L4, docs/decisions/0031).",
        ),
    ] = 20
    lockout_minutes: Annotated[int, M(ge=1, description="How long a lock lasts (L4).")] = 15
    export_keep_days: Annotated[int, M(ge=1, description="How long export files stay (U6).")] = 3
    csv_import_workers: Annotated[
        int,
        M(
            ge=1,
            le=64,
            description="Rows an import applies at once, each on a connection of its own (U6).",
        ),
    ] = 16
    public_url: Annotated[
        str,
        M(
            description="The gateway's public URL (e.g. https://maintenance.example.jp): the"
            " base of the links 「パスワードを忘れた場合」 mails. `./fumidai up` and the tests set it.",
        ),
    ] = "http://127.0.0.1:8000"
    recovery_link_s: Annotated[
        int,
        M(ge=1, description="How long a mailed password-recovery link works, in seconds."),
    ] = 15 * 60
    smtp: SmtpSettings = msgspec.field(default_factory=SmtpSettings)
    """SMTP server and sender (``FUMIDAI_IDENTITY_SMTP_HOST`` …, ``…_MAIL_FROM``)."""
    mail_retry_s: Annotated[
        tuple[float, ...],
        M(description="Delays between attempts to mail one recovery link; then it is given up."),
    ] = (1.0, 5.0, 30.0, 120.0)


@dataclass(frozen=True)
class IdentitySettings(ServiceSettings):
    own: IdentityOwn = field(default_factory=IdentityOwn)


def load_identity_settings(service: str = SERVICE) -> IdentitySettings:
    """``FUMIDAI_IDENTITY_*`` (falling back to ``FUMIDAI_*``) and ``FUMIDAI_EVENTS_*``."""
    core: CoreSettings = load_core(service)
    events: EventSettings = load_event_settings()
    return IdentitySettings(core=core, events=events, own=load(IdentityOwn, "FUMIDAI_IDENTITY_"))
