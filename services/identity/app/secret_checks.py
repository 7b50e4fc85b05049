"""Checking a typed password or second password against its stored hash, in a thread,
at the same cost whether or not the account exists (L4: nothing tells them apart)."""

import asyncio
import functools
import secrets

from services.identity.adapters import passwords


@functools.cache
def decoy_hash() -> str:
    """An argon2id hash nobody knows the password of: unknown accounts verify against it."""
    return passwords.hash_password(secrets.token_urlsafe(24))


def _check_secret_sync(stored: str | None, candidate: str, even_time: bool) -> bool:
    if stored is None:
        passwords.verify_password(decoy_hash(), candidate)
        return False
    ok = passwords.verify_secret(stored, candidate)
    if even_time and not stored.startswith("$argon2"):
        # A fast keyed hash (machine-made initial secrets) would answer sooner than the
        # argon2 of a chosen password or of an unknown account: pad to the same cost.
        passwords.verify_password(decoy_hash(), candidate)
    return ok


async def check_secret(stored: str | None, candidate: str, *, even_time: bool = False) -> bool:
    """True when ``candidate`` matches ``stored`` (None: never, at an argon2's cost).

    ``even_time``: always cost one argon2 verification, so the answer's timing says
    nothing about the account (the password step; later steps know the account already).
    """
    return await asyncio.to_thread(_check_secret_sync, stored, candidate, even_time)


async def hash_password(password: str) -> str:
    """An argon2id hash of a chosen password, made in a thread."""
    return await asyncio.to_thread(passwords.hash_password, password)
