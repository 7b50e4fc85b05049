"""NATS identities as NKeys: generated per run, the seeds in files only their user reads.

The server is told public keys and permissions only (decision 0026): its configuration holds
no secret, and a seed never leaves the state directory it was written to.
"""

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nkeys

from libs.events.access import Permissions, inbox_prefix


@dataclass(frozen=True)
class NatsUser:
    """One NATS identity: a name, an NKey seed, and its permissions (None: everything)."""

    name: str
    seed: str
    permissions: Permissions | None

    @property
    def public_key(self) -> str:
        pair = nkeys.from_seed(bytearray(self.seed.encode()))
        public: bytes = pair.public_key
        return public.decode()

    def config(self) -> dict[str, Any]:
        """This user in nats-server's ``authorization.users``."""
        entry: dict[str, Any] = {"nkey": self.public_key}
        if self.permissions is not None:
            entry["permissions"] = self.permissions
        return entry


def new_user(name: str, permissions: Permissions | None) -> NatsUser:
    """A user with a fresh NKey (an Ed25519 key pair; microseconds to make)."""
    seed = nkeys.encode_seed(os.urandom(32), nkeys.PREFIX_BYTE_USER)
    return NatsUser(name=name, seed=bytes(seed).decode(), permissions=permissions)


def probe_user() -> NatsUser:
    """Just enough to ask whether JetStream answers: the dev server's readiness probe."""
    return new_user(
        "probe",
        {
            "publish": {"allow": ["$JS.API.INFO"]},
            "subscribe": {"allow": [f"{inbox_prefix('probe')}.>"]},
        },
    )


def write_seeds(folder: Path, users: list[NatsUser]) -> dict[str, Path]:
    """Write each user's seed to ``folder/<name>.nk`` (mode 0600); name → path."""
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    paths = {}
    for user in users:
        path = folder / f"{user.name}.nk"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(user.seed + "\n")
        paths[user.name] = path
    return paths


def connect_options(user: NatsUser) -> dict[str, Any]:
    """nats.connect keyword arguments that sign in as ``user``."""
    return {"nkeys_seed_str": user.seed, "inbox_prefix": inbox_prefix(user.name)}
