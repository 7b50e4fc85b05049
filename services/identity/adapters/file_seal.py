"""Sealing of job files that hold secrets (import results with initial passwords, U6).

AES-256-GCM under a key derived with HKDF-SHA256 from identity's at-rest key
(``FUMIDAI_IDENTITY_TOTP_KEY``) and a label of its own, so it is independent of the key
that seals TOTP secrets while the operator still manages a single key. The job id and
the row number are the associated data: a sealed blob copied to another job or row does
not open.
"""

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_LABEL = b"fumidai/identity/job-files/v1"
_VERSION = b"\x01"
_NONCE_BYTES = 12


class MissingKey(Exception):
    """No at-rest key is configured: secrets cannot be stored."""


class FileSeal:
    """Seals and opens job files and rows with the key derived from ``key_setting``."""

    def __init__(self, key_setting: str) -> None:
        material = key_setting.strip().encode()
        self._aead = (
            AESGCM(
                HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_LABEL).derive(material)
            )
            if material
            else None
        )

    @property
    def ready(self) -> bool:
        return self._aead is not None

    def seal(self, plain: bytes, context: str) -> bytes:
        if self._aead is None:
            raise MissingKey()
        nonce = os.urandom(_NONCE_BYTES)
        return _VERSION + nonce + self._aead.encrypt(nonce, plain, context.encode())

    def open(self, sealed: bytes, context: str) -> bytes:
        """The plain bytes; ValueError when not sealed for ``context`` under this key."""
        if self._aead is None:
            raise MissingKey()
        if sealed[:1] != _VERSION:
            raise ValueError("unknown seal version")
        nonce = sealed[1 : 1 + _NONCE_BYTES]
        try:
            return self._aead.decrypt(nonce, sealed[1 + _NONCE_BYTES :], context.encode())
        except InvalidTag as error:
            raise ValueError("sealed file does not open with this key and context") from error
