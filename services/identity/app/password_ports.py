"""What identity's use cases need of passwords: make them, hash them, check them (SPEC L1,
L5; decision 0004). ``adapters/passwords.Argon2Passwords`` implements it and the
composition root passes it: the use cases know no hashing scheme."""

from typing import Protocol


class Passwords(Protocol):
    def generate_password(self) -> str:
        """A random password a person types once (an admin's initial one); meets L1."""
        ...

    def generate_secret(self) -> str:
        """A machine-made initial password or second password (≥ 120 random bits)."""
        ...

    def hash_password(self, password: str) -> str:
        """The slow hash of a password a person chose (or types, as an admin's initial one)."""
        ...

    def hash_generated_secret(self, secret: str) -> str:
        """The fast hash of a secret from ``generate_secret``, never of a chosen one."""
        ...

    def verify_secret(self, stored_hash: str, candidate: str) -> bool:
        """True when ``candidate`` matches ``stored_hash``, of either kind."""
        ...

    def is_slow(self, stored_hash: str) -> bool:
        """True when checking ``stored_hash`` costs the slow hash's time."""
        ...
