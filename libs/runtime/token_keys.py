"""Ed25519 keys of the internal tokens: one private key per caller, public keys for the rest.

A caller (the gateway; operators' tools) signs with its own private key; a service holds
only the public keys of the callers it accepts (docs/decisions/0027). Keys travel as
text so that they fit an environment variable or a Secret:

- a signing key: ``<issuer>:<kid>:<base64url of the 32-byte private key>``;
- a trusted key: ``<issuer>:<kid>:<base64url of the 32-byte public key>``.

The key id lets a verifier hold several keys of one issuer at once: that is how a key
is rolled (docs/security.md).
"""

import base64
import re
import secrets
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

GATEWAY = "gateway"
"""Issuer of the tokens the gateway sends on behalf of signed-in admins, users and agents."""
OPERATOR = "operator"
"""Issuer of operators' tokens (the operator CLI and tools); the only one granting that role."""

_NAME = re.compile(r"[a-z][a-z0-9-]{0,39}")
_KID = re.compile(r"[A-Za-z0-9._-]{1,64}")
_B64URL = re.compile(r"[A-Za-z0-9_-]*")


class MalformedKey(ValueError):
    """A key's text is malformed (a setting, so the service refuses to start)."""


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    """Strict base64url without padding: any other character is a ValueError (a lenient
    decoder would skip it, so that several texts would stand for one key or signature)."""
    if not _B64URL.fullmatch(text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _split(text: str) -> tuple[str, str, bytes]:
    parts = text.strip().split(":")
    if len(parts) != 3:
        raise MalformedKey("a token key is issuer:kid:key")
    issuer, kid, material = parts
    if not _NAME.fullmatch(issuer) or not _KID.fullmatch(kid):
        raise MalformedKey(f"a token key is issuer:kid:key; got issuer {issuer!r}, kid {kid!r}")
    try:
        raw = unb64(material)
    except ValueError as error:
        raise MalformedKey(f"token key {issuer}:{kid}: not base64url") from error
    if len(raw) != 32:
        raise MalformedKey(f"token key {issuer}:{kid}: an Ed25519 key is 32 bytes")
    return issuer, kid, raw


@dataclass(frozen=True)
class TrustedKey:
    """A caller's public key: tokens with this ``kid`` are that ``issuer``'s."""

    issuer: str
    kid: str
    public: Ed25519PublicKey

    @classmethod
    def parse(cls, text: str) -> "TrustedKey":
        issuer, kid, raw = _split(text)
        return cls(issuer, kid, Ed25519PublicKey.from_public_bytes(raw))

    def text(self) -> str:
        raw = self.public.public_bytes(Encoding.Raw, PublicFormat.Raw)
        return f"{self.issuer}:{self.kid}:{b64(raw)}"

    def genuine(self, signature: bytes, data: bytes) -> bool:
        try:
            self.public.verify(signature, data)
        except InvalidSignature:
            return False
        return True


@dataclass(frozen=True)
class SigningKey:
    """A caller's own private key."""

    issuer: str
    kid: str
    private: Ed25519PrivateKey

    @classmethod
    def generate(cls, issuer: str, kid: str | None = None) -> "SigningKey":
        """A fresh key; its id defaults to the date and a random suffix (unique per roll)."""
        kid = kid or f"{datetime.now(UTC):%Y%m%d}-{secrets.token_hex(3)}"
        _split(f"{issuer}:{kid}:{b64(bytes(32))}")  # the same rules as a parsed key
        return cls(issuer, kid, Ed25519PrivateKey.generate())

    @classmethod
    def parse(cls, text: str) -> "SigningKey":
        issuer, kid, raw = _split(text)
        return cls(issuer, kid, Ed25519PrivateKey.from_private_bytes(raw))

    def text(self) -> str:
        raw = self.private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        return f"{self.issuer}:{self.kid}:{b64(raw)}"

    def trusted(self) -> TrustedKey:
        """The public half, as verifiers hold it."""
        return TrustedKey(self.issuer, self.kid, self.private.public_key())

    def sign(self, data: bytes) -> bytes:
        return self.private.sign(data)


def trusted_keys(texts: Iterable[str]) -> dict[str, TrustedKey]:
    """The keys of a ``token_trusted_keys`` setting by key id; a repeated id is an error
    (two keys under one id would make a token's issuer ambiguous)."""
    keys: dict[str, TrustedKey] = {}
    for text in texts:
        if not text.strip():
            continue
        key = TrustedKey.parse(text)
        if key.kid in keys:
            raise MalformedKey(f"token key id {key.kid!r} appears twice")
        keys[key.kid] = key
    return keys


def main(argv: list[str]) -> int:
    """``python -m libs.runtime.token_keys new <issuer> [kid]``: a fresh key pair, the
    private line for the caller (a secret), the public line for the services' settings."""
    if len(argv) not in (2, 3) or argv[0] != "new":
        print("usage: python -m libs.runtime.token_keys new <issuer> [kid]", file=sys.stderr)
        return 2
    try:
        key = SigningKey.generate(*argv[1:])
    except MalformedKey as error:
        print(error, file=sys.stderr)
        return 2
    print(f"signing key (secret, for {key.issuer} only): {key.text()}")
    print(f"trusted key (public, for the services):   {key.trusted().text()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
