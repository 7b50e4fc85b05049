"""The limits of SPEC U1/L1/U6 that identity checks and the gateway's API documents and
enforces before relaying. Defined here, once: identity's domain reads them from here, so
a limit changed is documented as changed."""

from typing import Annotated

import msgspec

from libs.events.catalogue.users import FileShare

ACCOUNT_NAME_MAX = 60
"""An account's name part, at most (U1)."""
ACCOUNT_NAME_PATTERN = r"^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,58}[A-Za-z0-9])?$"
"""``A-Z a-z 0-9 . _ -``, alphanumeric at both ends (U1)."""
FEDERATION_TARGET_NAME_MAX = 64
"""A 認証連携先's name, at most (T1)."""
PASSWORD_MIN = 12
"""A password a person chooses, at least (L1)."""
PASSWORD_MAX = 128
"""A password a person chooses, at most (L1)."""
USER_NAME_MAX = 64
"""姓 and 名 together, at most (U1)."""
USER_EMAIL_MAX = 64
"""A user's メールアドレス, at most (U1)."""
USER_MACS_MAX = 20
"""MAC addresses of one user, at most (U1)."""
FILE_SHARE_CODES: tuple[FileShare, ...] = ("always", "approval", "deny")
"""「ファイル共有権限」's codes: 常に許可, 承認後に許可, 拒否 (U1)."""
_HEX = "[0-9A-Fa-f]{2}"
MAC_PATTERN = rf"^{_HEX}([-:]){_HEX}(?:\1{_HEX}){{4}}$|^(?:{_HEX}){{6}}$"
"""``AA-BB-CC-DD-EE-FF``, ``AA:BB:CC:DD:EE:FF`` or ``AABBCCDDEEFF``, any case (U1)."""
DATE_PATTERN = r"^[0-9]{4}([/-])[0-9]{1,2}\1[0-9]{1,2}$"
"""``yyyy-mm-dd``, ``yyyy/mm/dd`` or ``yyyy/m/d`` (what ``check_date`` reads)."""
HOURS_START_PATTERN = r"^(0?[0-9]|1[0-9]|2[0-3]):[03]0$"
"""00:00–23:30 on 30-minute steps, ``H:MM`` or ``HH:MM`` (U1)."""
HOURS_END_PATTERN = r"^(0?0:30|0?[1-9]:[03]0|1[0-9]:[03]0|2[0-3]:[03]0|24:00)$"
"""00:30–24:00 on 30-minute steps (U1)."""

CSV_LIMITS_PREFIX = "FUMIDAI_IDENTITY_"
"""The prefix of the CSV limits' variables: ``FUMIDAI_IDENTITY_CSV_MAX_BYTES`` and
``…_CSV_MAX_ROWS``. identity and the gateway both read them (decision 0034), so give them
to both (deploy: the shared environment)."""


class CsvLimits(msgspec.Struct, frozen=True, kw_only=True):
    """The CSV import's limits (U6): identity refuses a larger file, the gateway refuses
    it before relaying and documents them. One settings group, read by both."""

    csv_max_rows: Annotated[
        int, msgspec.Meta(ge=1, description="Largest CSV import, in rows (U6).")
    ] = 10000
    csv_max_bytes: Annotated[
        int, msgspec.Meta(ge=1, description="Largest CSV import, in bytes (U6).")
    ] = 10 * 1024 * 1024


CSV_MAX_BYTES_DEFAULT = CsvLimits().csv_max_bytes
"""The CSV import's size limit unless a deployment sets ``csv_max_bytes``."""
CSV_MAX_ROWS_DEFAULT = CsvLimits().csv_max_rows
"""The CSV import's row limit unless a deployment sets ``csv_max_rows``."""
