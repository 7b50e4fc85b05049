"""Settings come from the environment once, validated, with service-specific overrides."""

from typing import Any

import pytest

from libs.config.env import SettingsError, load
from libs.events.settings import EventSettings
from libs.runtime.app import service_app
from libs.runtime.backbone import Backbone
from libs.runtime.settings import CoreSettings, load_core
from libs.runtime.token_keys import GATEWAY, SigningKey


def test_service_variables_override_shared_ones() -> None:
    core = load_core(
        "identity",
        {
            "FUMIDAI_DATABASE_URL": "postgresql://shared/db",
            "FUMIDAI_IDENTITY_DATABASE_URL": "postgresql://own/db",
            "FUMIDAI_NATS_URL": "nats://a:1,nats://b:2",
            "FUMIDAI_IDENTITY_PORT": "8101",
        },
    )
    assert core.database_url == "postgresql://own/db"
    assert core.port == 8101
    assert core.nats_servers == ["nats://a:1", "nats://b:2"]


def test_a_missing_or_malformed_setting_names_itself() -> None:
    with pytest.raises(SettingsError, match="database_url"):
        load_core("identity", {})
    with pytest.raises(SettingsError, match="port"):
        load_core("identity", {"FUMIDAI_DATABASE_URL": "x", "FUMIDAI_PORT": "http"})


def test_event_settings_parse_lists_and_bounds() -> None:
    settings = load(
        EventSettings,
        "E_",
        {"E_NAK_BACKOFF_S": "0.5, 2", "E_REPLICAS": "3", "E_RELAY_BATCH": "100"},
    )
    assert settings.nak_backoff_s == (0.5, 2.0)
    assert settings.replicas == 3
    with pytest.raises(SettingsError):
        load(EventSettings, "E_", {"E_REPLICAS": "9"})


def test_token_keys_are_read_per_service_and_the_signing_key_never_shared() -> None:
    """Decision 0027: a shared FUMIDAI_TOKEN_SIGNING_KEY would hand every service the
    caller's key, so it is not read; trusted keys come as a comma-separated list."""
    gateway = SigningKey.generate(GATEWAY, "gw-1").text()
    env = {
        "FUMIDAI_DATABASE_URL": "postgresql://shared/db",
        "FUMIDAI_TOKEN_SIGNING_KEY": gateway,
        "FUMIDAI_TOKEN_TRUSTED_KEYS": "gateway:a:x,operator:b:y",
    }
    core = load_core("fileshare", env)
    assert core.token_signing_key == ""
    assert core.token_trusted_keys == ("gateway:a:x", "operator:b:y")
    own = load_core("gateway", {**env, "FUMIDAI_GATEWAY_TOKEN_SIGNING_KEY": gateway})
    assert own.token_signing_key == gateway


def backbone(service: str, **core: Any) -> Backbone:
    settings = CoreSettings(database_url="postgresql://unused/unused", **core)
    return Backbone(service=service, core=settings, events=EventSettings(), migrations=[])


def test_a_service_without_trusted_keys_or_with_bad_ones_does_not_start() -> None:
    with pytest.raises(SettingsError, match="FUMIDAI_AUDIT_TOKEN_TRUSTED_KEYS must name"):
        service_app(backbone("audit"), [])
    with pytest.raises(SettingsError, match=r"FUMIDAI_AUDIT_TOKEN_TRUSTED_KEYS: .*32 bytes"):
        service_app(backbone("audit", token_trusted_keys=("gateway:k:AAAA",)), [])
    trusted = SigningKey.generate(GATEWAY).trusted().text()
    assert service_app(backbone("audit", token_trusted_keys=(trusted,)), [])
