"""Checking a typed password or second password against its stored hash, in a thread,
at the same cost whether or not the account exists (L4: nothing tells them apart)."""

import asyncio
import secrets

from services.identity.app.password_ports import Passwords


class SecretChecks:
    """The checks and hashes of the sign-in and recovery steps, over the ``Passwords`` port."""

    def __init__(self, passwords: Passwords) -> None:
        self._passwords = passwords
        # Made now, not in the first unknown account's answer time.
        self._decoy = passwords.hash_password(secrets.token_urlsafe(24))
        """A slow hash nobody knows the password of: unknown accounts verify against it."""

    def _check_sync(self, stored: str | None, candidate: str, even_time: bool) -> bool:
        if stored is None:
            self._passwords.verify_secret(self._decoy, candidate)
            return False
        ok = self._passwords.verify_secret(stored, candidate)
        if even_time and not self._passwords.is_slow(stored):
            # A fast keyed hash (machine-made initial secrets) would answer sooner than the
            # argon2 of a chosen password or of an unknown account: pad to the same cost.
            self._passwords.verify_secret(self._decoy, candidate)
        return ok

    async def check(self, stored: str | None, candidate: str, *, even_time: bool = False) -> bool:
        """True when ``candidate`` matches ``stored`` (None: never, at a slow hash's cost).

        ``even_time``: always cost one slow verification, so the answer's timing says
        nothing about the account (the password step; later steps know the account already).
        """
        return await asyncio.to_thread(self._check_sync, stored, candidate, even_time)

    async def hash_password(self, password: str) -> str:
        """The slow hash of a chosen password, made in a thread."""
        return await asyncio.to_thread(self._passwords.hash_password, password)
