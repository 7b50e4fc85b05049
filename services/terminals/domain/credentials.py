"""Agent credentials: a bearer token per terminal agent, of which only a hash is kept.

A token is ``fta1.<credential id>.<secret>``: the id finds the row, the secret (256 random
bits) is compared by its SHA-256. A fast hash is enough for a random secret of that size
(nothing to brute-force), and keeps each agent request cheap.
"""

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from libs.events.envelope import Actor

PREFIX = "fta1"
_TOKEN = re.compile(r"^fta1\.([0-9a-f-]{36})\.([A-Za-z0-9_-]{43})$")


@dataclass(frozen=True)
class Token:
    credential_id: str
    secret: str

    def __str__(self) -> str:
        return f"{PREFIX}.{self.credential_id}.{self.secret}"


def new_token(credential_id: str) -> Token:
    return Token(credential_id, secrets.token_urlsafe(32))


def parse_token(text: str) -> Token | None:
    """The token in ``text``, or None when it is not shaped like one."""
    match = _TOKEN.fullmatch(text.strip())
    return Token(match[1], match[2]) if match else None


def secret_hash(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


def secret_matches(secret: str, stored: bytes) -> bool:
    return hmac.compare_digest(secret_hash(secret), stored)


@dataclass(frozen=True)
class Agent:
    """A terminal's agent, as its credential names it."""

    credential_id: str
    terminal_id: str
    terminal_name: str
    facility: str

    def actor(self, ip: str | None) -> Actor:
        """Who the agent's events name: its credential, so each is traceable to one issue."""
        return Actor(id=f"agent:{self.credential_id}", role="agent", ip=ip)
