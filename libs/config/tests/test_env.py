"""Settings groups read from the environment, a shared group among a service's own."""

from typing import Annotated

import msgspec
import pytest

from libs.config.env import SettingsError, describe, load
from libs.mail.smtp import SmtpSettings


class Own(msgspec.Struct, frozen=True, kw_only=True):
    retries: Annotated[tuple[float, ...], msgspec.Meta(description="Delays.")] = (1.0,)
    smtp: SmtpSettings = msgspec.field(default_factory=SmtpSettings)


def test_a_group_among_the_fields_is_read_under_the_same_prefix() -> None:
    own = load(Own, "FUMIDAI_X_", {"FUMIDAI_X_SMTP_PORT": "2525", "FUMIDAI_X_RETRIES": "1,2"})
    assert own.smtp == SmtpSettings(smtp_port=2525)
    assert own.retries == (1.0, 2.0)
    assert load(Own, "FUMIDAI_X_", {}) == Own()


def test_a_bad_value_in_a_group_names_its_variable() -> None:
    with pytest.raises(SettingsError, match="FUMIDAI_X_"):
        load(Own, "FUMIDAI_X_", {"FUMIDAI_X_SMTP_PORT": "0"})


def test_describe_lists_a_group_s_variables_as_its_own() -> None:
    names = [name for name, _, _ in describe(Own, "FUMIDAI_X_")]
    assert names[0] == "FUMIDAI_X_RETRIES"
    assert "FUMIDAI_X_SMTP_HOST" in names and "FUMIDAI_X_MAIL_FROM" in names
