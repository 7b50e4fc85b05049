"""Password hashing (argon2id, SPEC L5) and generation of initial passwords.

Passwords people choose are hashed with argon2id. Secrets the system generates itself
(initial passwords and second passwords, ≥ 120 random bits) get a salted HMAC-SHA256,
which is as safe for them and fast enough to create 10,000 users in seconds: see
docs/decisions/0004-secret-hashing.md. ``verify_secret`` checks either kind.
"""

import base64
import hashlib
import hmac
import os
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# Without look-alikes (0/O, 1/l/I) so a password read off a screen is typed right.
_UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ"
_LOWER = "abcdefghijkmnopqrstuvwxyz"
_DIGITS = "23456789"
_SYMBOLS = "#$%&+-=?@_"

# argon2id at OWASP's recommended floor (19 MiB, 2 passes, 1 lane): ~25 ms a hash here,
# so a whole admin sign-in (password and second password) stays well inside 300 ms on
# two cores, while each guess still costs an attacker 19 MiB of memory. Hashes carry
# their parameters, so hashes made with other settings keep verifying.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when ``password`` matches ``password_hash``."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def generate_password(length: int = 16) -> str:
    """A random password with all four character classes (meets SPEC L1)."""
    pools = (_UPPER, _LOWER, _DIGITS, _SYMBOLS)
    chars = [secrets.choice(pool) for pool in pools]
    everything = "".join(pools)
    chars += [secrets.choice(everything) for _ in range(length - len(chars))]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)


GENERATED_SECRET_LENGTH = 20
"""Characters of a generated initial or second password: 20 of 67 symbols, ~121 bits."""

_FAST_SCHEME = "$fumidai-hs256$"
_SALT_BYTES = 16


_ALPHABET = _UPPER + _LOWER + _DIGITS + _SYMBOLS
_UNBIASED = 256 - 256 % len(_ALPHABET)  # bytes at or above this would favour some symbols


def generate_secret() -> str:
    """A fresh initial password or second password (20 symbols of 67, ~121 random bits).

    Uniform over the strings with all four character classes (so it meets SPEC L1), from
    one ``os.urandom`` call per attempt: a CSV import makes 20,000 of them, and drawing
    each symbol separately cost more than hashing them.
    """
    while True:
        symbols = [_ALPHABET[b % len(_ALPHABET)] for b in os.urandom(64) if b < _UNBIASED]
        if len(symbols) < GENERATED_SECRET_LENGTH:
            continue
        secret = "".join(symbols[:GENERATED_SECRET_LENGTH])
        if all(any(ch in pool for ch in secret) for pool in (_UPPER, _LOWER, _DIGITS, _SYMBOLS)):
            return secret


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)


def hash_generated_secret(secret: str) -> str:
    """A salted HMAC-SHA256 of a secret from ``generate_secret`` (never of a chosen one).

    Refuses anything shorter than a generated secret, so a human-chosen password cannot
    end up with this fast hash by mistake (decision 0004).
    """
    if len(secret) < GENERATED_SECRET_LENGTH:
        raise ValueError("only generated secrets may use the fast hash")
    salt = os.urandom(_SALT_BYTES)
    digest = hmac.new(salt, secret.encode(), hashlib.sha256).digest()
    return f"{_FAST_SCHEME}{_b64(salt)}${_b64(digest)}"


def verify_secret(stored_hash: str, candidate: str) -> bool:
    """True when ``candidate`` matches ``stored_hash``, argon2id or generated-secret kind."""
    if stored_hash.startswith("$argon2"):
        return verify_password(stored_hash, candidate)
    if not stored_hash.startswith(_FAST_SCHEME):
        return False
    salt_text, _, digest_text = stored_hash[len(_FAST_SCHEME) :].partition("$")
    try:
        salt, digest = _unb64(salt_text), _unb64(digest_text)
    except ValueError:
        return False
    expected = hmac.new(salt, candidate.encode(), hashlib.sha256).digest()
    return hmac.compare_digest(expected, digest)


class Argon2Passwords:
    """``app.password_ports.Passwords`` by the functions above."""

    def generate_password(self) -> str:
        return generate_password()

    def generate_secret(self) -> str:
        return generate_secret()

    def hash_password(self, password: str) -> str:
        return hash_password(password)

    def hash_generated_secret(self, secret: str) -> str:
        return hash_generated_secret(secret)

    def verify_secret(self, stored_hash: str, candidate: str) -> bool:
        return verify_secret(stored_hash, candidate)

    def is_slow(self, stored_hash: str) -> bool:
        return stored_hash.startswith("$argon2")
