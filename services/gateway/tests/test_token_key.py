"""The gateway's own internal-token key (decision 0027): it does not start without one,
nor with another caller's."""

import pytest

from libs.config.env import SettingsError
from libs.runtime.token_keys import GATEWAY, OPERATOR, SigningKey
from services.gateway.bootstrap import signing_key


def test_the_gateway_needs_its_own_key_and_no_one_elses() -> None:
    with pytest.raises(SettingsError, match="FUMIDAI_GATEWAY_TOKEN_SIGNING_KEY"):
        signing_key("")
    with pytest.raises(SettingsError, match="operator's, not gateway's"):
        signing_key(SigningKey.generate(OPERATOR).text())
    assert signing_key(SigningKey.generate(GATEWAY, "gw-9").text()).kid == "gw-9"
