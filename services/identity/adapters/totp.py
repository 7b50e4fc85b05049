"""Authenticator codes (SPEC L2) and their secrets at rest (L5).

RFC 6238 as Microsoft and Google Authenticator read it: 6 digits, 30-second steps,
HMAC-SHA1, one step of clock drift either way. Secrets are sealed with AES-256-GCM under
``FUMIDAI_IDENTITY_TOTP_KEY``; the account id is the associated data, so a sealed secret
copied onto another account's row does not open.
"""

import base64
import binascii
import hmac
import io
import os
from datetime import datetime

import pyotp
import segno
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from libs.config.env import SettingsError

DIGITS = 6
PERIOD_S = 30
DRIFT_STEPS = 1
_SEAL_VERSION = b"\x01"  # first byte of every sealed value: room for a key rotation
_NONCE_BYTES = 12


class SecretBox:
    """Authenticator secrets with the service's key: made, sealed, opened, and the codes
    typed checked against them (``app.credential_ports.Authenticators``)."""

    def __init__(self, key_setting: str) -> None:
        """Refuse to build (and so the service to start) without a 32-byte key."""
        text = key_setting.strip()
        try:
            key = base64.urlsafe_b64decode(
                text.replace("+", "-").replace("/", "_") + "=" * (-len(text) % 4)
            )
        except (binascii.Error, ValueError) as error:
            raise SettingsError("FUMIDAI_IDENTITY_TOTP_KEY must be base64 of 32 bytes") from error
        if len(key) != 32:
            raise SettingsError(
                "FUMIDAI_IDENTITY_TOTP_KEY must be set to base64 of 32 random bytes "
                "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(32))')"
            )
        self._aead = AESGCM(key)

    def seal(self, secret: str, account_id: str) -> bytes:
        nonce = os.urandom(_NONCE_BYTES)
        return (
            _SEAL_VERSION + nonce + self._aead.encrypt(nonce, secret.encode(), account_id.encode())
        )

    def open(self, sealed: bytes, account_id: str) -> str:
        """The secret; raise ValueError when it was not sealed for this account by this key."""
        if sealed[:1] != _SEAL_VERSION:
            raise ValueError("unknown seal version")
        nonce = sealed[1 : 1 + _NONCE_BYTES]
        try:
            plain = self._aead.decrypt(nonce, sealed[1 + _NONCE_BYTES :], account_id.encode())
        except InvalidTag as error:
            raise ValueError("sealed secret does not open with this key and account") from error
        return plain.decode()

    def new_secret(self) -> str:
        return new_secret()

    def provisioning_uri(self, secret: str, account: str, issuer: str) -> str:
        return provisioning_uri(secret, account, issuer)

    def qr_svg(self, uri: str) -> str:
        return qr_svg(uri)

    def matching_step(self, secret: str, code: str, moment: datetime) -> int | None:
        return matching_step(secret, code, moment)


def new_secret() -> str:
    """A fresh 160-bit base32 secret (RFC 4226's recommended length)."""
    return pyotp.random_base32()


def provisioning_uri(secret: str, account: str, issuer: str) -> str:
    """The ``otpauth://totp/...`` URI authenticator apps scan, with issuer and account."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=PERIOD_S).provisioning_uri(
        name=account, issuer_name=issuer
    )


def qr_svg(uri: str) -> str:
    """An SVG QR code of ``uri``, dark on white, without XML declaration but with its
    namespace: it works inline and as an image (``data:image/svg+xml``), which renders
    nothing without the namespace (segno's ``svg_inline`` leaves it out)."""
    out = io.BytesIO()
    segno.make(uri, error="m").save(
        out, kind="svg", xmldecl=False, svgns=True, nl=False, scale=4, light="#fff"
    )
    return out.getvalue().decode()


def step_at(moment: datetime) -> int:
    """The RFC 6238 time step of ``moment``."""
    return int(moment.timestamp()) // PERIOD_S


def code_at(secret: str, step: int) -> str:
    """The code of ``step`` (what the authenticator shows during that step)."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=PERIOD_S).generate_otp(step)


def matching_step(secret: str, code: str, moment: datetime) -> int | None:
    """The latest step within ±1 of ``moment`` whose code is ``code``, or None.

    The caller refuses a step not later than the last one it accepted (replay, L2).
    """
    if len(code) != DIGITS or not code.isascii() or not code.isdigit():
        return None
    now = step_at(moment)
    found = None
    # Every candidate is compared, so timing does not say which step matched.
    for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1):
        if hmac.compare_digest(code_at(secret, step), code):
            found = step
    return found
