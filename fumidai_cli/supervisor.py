"""``./fumidai up`` keeps the suite running: a crashed service or server is restarted.

The main loop calls ``Supervisor.tick`` about twice a second. A component found dead is
said ("audit exited (code -9); restarting in 1 s") and restarted after the wait the
backoff policy gives (``fumidai_cli.backoff``); a crash loop is said loudly and still
retried at the cap. Restarting a server blocks the loop until it is up (PostgreSQL, NATS
and clamd wait for themselves); Ctrl-C during one stops everything once it returns.
docs/decisions/0033.
"""

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial

from fumidai_cli.backoff import Crashes, Policy, after_crash, crash_loop
from libs.devservers._process import ServerProcess
from libs.devservers.fileshare import FileshareServers
from libs.devservers.nats import EmbeddedNats
from libs.devservers.postgres import EmbeddedPostgres
from libs.devservers.suite import Suite


@dataclass(frozen=True)
class Watched:
    """One component ``up`` keeps running."""

    name: str
    alive: Callable[[], bool]
    exit_code: Callable[[], int | None]
    """Its exit code once dead (None when it has none: the in-process mail catcher)."""
    restart: Callable[[], None]
    log: str
    """Where a person looks when it keeps crashing."""


@dataclass
class _State:
    started_at: float
    crashes: Crashes = field(default_factory=Crashes)
    due: float | None = None
    """When a dead component is to be restarted; None while it runs."""


class Supervisor:
    def __init__(
        self,
        watched: Sequence[Watched],
        say: Callable[[str], None],
        policy: Policy | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._watched = list(watched)
        self._say = say
        self._policy = policy or Policy()
        self._clock = clock
        now = clock()
        self._states = {w.name: _State(started_at=now) for w in self._watched}

    def tick(self) -> None:
        """Notice what died since the last tick; restart what is due. In ``watched``'s order:
        servers first, so that services restarted in the same tick find them."""
        for watched in self._watched:
            state = self._states[watched.name]
            if state.due is None:
                if not watched.alive():
                    code = watched.exit_code()
                    self._crashed(
                        watched, state, "stopped" if code is None else f"exited (code {code})"
                    )
            elif self._clock() >= state.due:
                self._restart(watched, state)

    def _crashed(self, watched: Watched, state: _State, how: str) -> None:
        now = self._clock()
        state.crashes, delay = after_crash(self._policy, state.crashes, now - state.started_at)
        state.due = now + delay
        self._say(f"{watched.name} {how}; restarting in {delay:g} s")
        if crash_loop(self._policy, state.crashes):
            self._say(
                f"WARNING: {watched.name} is crashing in a loop: {state.crashes.in_a_row} "
                f"times in a row, each within {self._policy.stable_s:g} s of its start; still "
                f"restarting it, at most {self._policy.cap_s:g} s apart. See {watched.log}"
            )

    def _restart(self, watched: Watched, state: _State) -> None:
        state.started_at = self._clock()
        try:
            watched.restart()
        except Exception as error:  # a failed restart is one more crash, said in one line
            first = (str(error).strip().splitlines() or [type(error).__name__])[0]
            self._crashed(watched, state, f"did not restart ({first.rstrip(':')})")
            return
        state.due = None
        self._say(f"{watched.name} restarted")


def _server(name: str, server: ServerProcess) -> Watched:
    """A private server (PostgreSQL, a NATS node, clamd): restarted by starting it again."""
    return Watched(
        name,
        lambda: server.is_running,
        lambda: server.exit_code,
        server.start,
        str(server.log_path),
    )


def watch_suite(
    suite: Suite,
    postgres: EmbeddedPostgres | None,
    nats: Sequence[EmbeddedNats],
    fileshare: FileshareServers,
    logs: str,
) -> list[Watched]:
    """What ``up`` started, servers first (the embedded ones only: a server given by
    FUMIDAI_POSTGRES_URL or FUMIDAI_NATS_URL is someone else's to keep). One NATS server
    is "NATS"; a cluster's nodes are "NATS nats-1" …, services' replicas "identity-2" …"""
    watched: list[Watched] = []
    if postgres is not None:
        watched.append(_server("PostgreSQL", postgres))
    for node in nats:
        watched.append(_server("NATS" if len(nats) == 1 else f"NATS {node.server_name}", node))
    if fileshare.clamd is not None:
        watched.append(_server("clamd", fileshare.clamd))
    mail = fileshare.mail
    if mail is not None:
        watched.append(
            Watched("mail catcher", lambda: mail.is_running, lambda: None, mail.restart, logs)
        )
    for instance in suite.all_instances():
        watched.append(
            Watched(
                instance,
                partial(suite.is_running, instance),
                partial(suite.exit_code, instance),
                partial(suite.restart, instance),
                f"{logs}/{instance}.log",
            )
        )
    return watched
