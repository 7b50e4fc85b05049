"""What terminals' routes are given by name (Litestar DI), all of it built in bootstrap
(``TerminalsRuntime.dependencies``)."""

from collections.abc import Callable

import asyncpg
from litestar.di import NamedDependency

from libs.events.clock import Clock
from services.terminals.adapters.control_channel import ControlChannel
from services.terminals.adapters.decision_facts import DecisionFacts
from services.terminals.adapters.decision_log import DecisionLog
from services.terminals.app.unit_of_work import UnitOfWork
from services.terminals.settings import TerminalsOwn

Db = NamedDependency[asyncpg.Pool]
"""``db``: connections for terminals' own reads (the runtime's pool)."""
NewUnitOfWork = NamedDependency[Callable[[], UnitOfWork]]
"""``new_uow``: a new unit of work for each command."""
Now = NamedDependency[Clock]
"""``clock``: the service's clock."""
Own = NamedDependency[TerminalsOwn]
"""``own``: terminals' own settings."""
Facts = NamedDependency[DecisionFacts]
"""``facts``: what a connection decision is made from."""
Decisions = NamedDependency[DecisionLog]
"""``decisions``: where decisions are recorded (group commit)."""
Channel = NamedDependency[ControlChannel]
"""``channel``: the agents' control channel."""
