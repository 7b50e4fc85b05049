"""Settings come from the environment once, validated, with service-specific overrides."""

import pytest

from libs.config.env import SettingsError, load
from libs.events.settings import EventSettings
from libs.runtime.settings import load_core


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
