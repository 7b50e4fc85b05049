"""fileshare's settings: the common ones plus its own (``FUMIDAI_FILESHARE_*``)."""

from dataclasses import dataclass, field
from typing import Annotated

import msgspec

from libs.config.env import load
from libs.events.settings import load_event_settings
from libs.mail.smtp import SmtpSettings
from libs.runtime.settings import ServiceSettings, load_core

SERVICE = "fileshare"
M = msgspec.Meta


class FileshareOwn(msgspec.Struct, frozen=True, kw_only=True):
    """What only fileshare reads."""

    clamd_host: Annotated[str, M(description="clamd's TCP address (INSTREAM).")] = "127.0.0.1"
    clamd_port: Annotated[int, M(ge=0, le=65535, description="clamd's TCP port.")] = 3310
    clamd_socket: Annotated[
        str, M(description="clamd's Unix socket; when set it is used instead of TCP.")
    ] = ""
    clamd_timeout_s: Annotated[
        float, M(gt=0, description="Longest wait for one clamd verdict after the last byte.")
    ] = 300.0
    scan_retry_s: Annotated[
        float, M(gt=0, description="How often files still 検査待ち are offered to clamd again.")
    ] = 15.0
    expiry_sweep_s: Annotated[
        float, M(gt=0, description="How often shares past their download period are swept.")
    ] = 300.0
    bucket: Annotated[
        str, M(pattern=r"^[A-Za-z0-9_-]+$", description="JetStream object store of the blobs.")
    ] = "FUMIDAI_FILES"
    chunk_size: Annotated[
        int, M(ge=16384, le=1048576, description="Bytes per object-store chunk.")
    ] = 262144
    second_password_max_age_s: Annotated[
        float,
        M(gt=0, description="How recent a user's verified second password must be (F7)."),
    ] = 600.0
    smtp: SmtpSettings = msgspec.field(default_factory=SmtpSettings)
    """SMTP server and sender (``FUMIDAI_FILESHARE_SMTP_HOST`` …, ``…_MAIL_FROM``)."""
    mail_retry_s: Annotated[
        tuple[float, ...], M(description="Delays between attempts to send one mail.")
    ] = (1.0, 5.0, 30.0, 120.0, 600.0)


@dataclass(frozen=True)
class FileshareSettings(ServiceSettings):
    own: FileshareOwn = field(default_factory=FileshareOwn)


def load_fileshare_settings(service: str = SERVICE) -> FileshareSettings:
    """``FUMIDAI_FILESHARE_*`` (falling back to ``FUMIDAI_*``) and ``FUMIDAI_EVENTS_*``."""
    own = load(FileshareOwn, "FUMIDAI_FILESHARE_")
    return FileshareSettings(core=load_core(service), events=load_event_settings(), own=own)
