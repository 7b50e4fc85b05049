"""Who is calling the agent API: the terminal behind a bearer token, checked against its hash.

Verified credentials are cached for ``ttl_s`` so that each decision costs no extra query.
A terminal signal (revocation, rename, deletion: ``signals.py``) drops its entries at once
on every replica; the TTL bounds how long a lost signal could keep a revoked one working.
"""

import time
from dataclasses import dataclass

import asyncpg

from services.terminals.adapters.signals import TerminalSignals
from services.terminals.domain.credentials import Agent, parse_token, secret_matches
from services.terminals.domain.errors import AgentUnauthenticated, TerminalGone


@dataclass(frozen=True)
class _Cached:
    agent: Agent
    secret_hash: bytes
    until: float


class AgentCredentials:
    """Authenticates agents' tokens."""

    def __init__(self, signals: TerminalSignals, ttl_s: float) -> None:
        self._ttl_s = ttl_s
        self._cache: dict[str, _Cached] = {}
        self._by_terminal: dict[str, set[str]] = {}
        # Bumped by every signal: a read that overlapped one is not cached, or a
        # revocation committed during the read could be undone by the cache.
        self._generation = 0
        self._pool: asyncpg.Pool | None = None
        signals.listen(self._forget)

    def start(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def authenticate(self, authorization: str) -> Agent:
        """The agent of a ``Bearer <token>`` header; raise AgentUnauthenticated or
        TerminalGone (its terminal was deleted)."""
        scheme, _, text = authorization.partition(" ")
        token = parse_token(text) if scheme.lower() == "bearer" else None
        if token is None:
            raise AgentUnauthenticated()
        cached = self._cache.get(token.credential_id)
        if cached is not None and cached.until > time.monotonic():
            if not secret_matches(token.secret, cached.secret_hash):
                raise AgentUnauthenticated()
            return cached.agent
        assert self._pool is not None, "credentials not started"
        generation = self._generation
        row = await self._pool.fetchrow(
            """SELECT c.secret_hash, c.revoked_at IS NOT NULL AS revoked, t.terminal_id,
                      t.name, t.facility, t.deleted_at IS NOT NULL AS deleted
               FROM agent_credentials c JOIN terminals t USING (terminal_id)
               WHERE c.credential_id = $1""",
            token.credential_id,
        )
        if row is None or not secret_matches(token.secret, bytes(row["secret_hash"])):
            raise AgentUnauthenticated()
        if row["deleted"]:
            raise TerminalGone()
        if row["revoked"]:
            raise AgentUnauthenticated()
        agent = Agent(token.credential_id, row["terminal_id"], row["name"], row["facility"])
        if self._ttl_s > 0 and generation == self._generation:
            self._cache[token.credential_id] = _Cached(
                agent, bytes(row["secret_hash"]), time.monotonic() + self._ttl_s
            )
            self._by_terminal.setdefault(agent.terminal_id, set()).add(token.credential_id)
        return agent

    def _forget(self, terminal_id: str) -> None:
        self._generation += 1
        for credential_id in self._by_terminal.pop(terminal_id, ()):
            self._cache.pop(credential_id, None)
