"""How a service signs in to NATS: its NKey, its own reply subjects, TLS when configured."""

import ssl
from typing import Any

from libs.events.access import inbox_prefix
from libs.runtime.settings import CoreSettings


class NatsSettingsError(ValueError):
    """The NATS settings contradict each other."""


def connect_options(core: CoreSettings, identity: str) -> dict[str, Any]:
    """nats.connect keyword arguments for ``identity`` (the name its permissions expect)."""
    options: dict[str, Any] = {"inbox_prefix": inbox_prefix(identity)}
    if core.nats_nkey_seed_file:
        options["nkeys_seed"] = core.nats_nkey_seed_file
    tls = tls_context(core)
    if tls is not None:
        options["tls"] = tls
    return options


def tls_context(core: CoreSettings) -> ssl.SSLContext | None:
    """The client TLS context, or None when no CA is set (plain connection)."""
    if not core.nats_tls_ca_file:
        if core.nats_tls_cert_file or core.nats_tls_key_file:
            raise NatsSettingsError("a NATS client certificate needs nats_tls_ca_file as well")
        return None
    context = ssl.create_default_context(cafile=core.nats_tls_ca_file)
    if core.nats_tls_cert_file:
        context.load_cert_chain(core.nats_tls_cert_file, core.nats_tls_key_file or None)
    return context
