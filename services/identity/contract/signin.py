"""identity's credential checks for a signed-in admin or user (SPEC L1, F7): changing its own
password and checking its second password, as the gateway relays them."""

from typing import Annotated

import msgspec

Secret = Annotated[str, msgspec.Meta(max_length=1024)]


class PasswordChange(msgspec.Struct, frozen=True, kw_only=True):
    current_password: Secret
    new_password: Secret


class SecondPasswordCheck(msgspec.Struct, frozen=True, kw_only=True):
    second_password: Secret


class PasswordChangedOut(msgspec.Struct, frozen=True, kw_only=True):
    consistency_token: str
