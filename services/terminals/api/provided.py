"""What terminals' routes are given by name (Litestar DI), all of it built in bootstrap
(``TerminalsRuntime.dependencies``).

``Injected``, not ``NamedDependency``: these are the composition root's own objects, and
Litestar would check each against its type on every request (a Python call for a class
or a callable, a conversion for the settings Struct): ~7 µs of an agent's decision
(docs/decisions/0049).
"""

from collections.abc import Callable

import asyncpg

from libs.events.clock import Clock
from libs.runtime.app import Injected
from services.terminals.adapters.control_channel import ControlChannel
from services.terminals.adapters.decision_facts import DecisionFacts
from services.terminals.adapters.decision_log import DecisionLog
from services.terminals.app.unit_of_work import UnitOfWork
from services.terminals.settings import TerminalsOwn

Db = Injected[asyncpg.Pool]
"""``db``: connections for terminals' own reads (the runtime's pool)."""
NewUnitOfWork = Injected[Callable[[], UnitOfWork]]
"""``new_uow``: a new unit of work for each command."""
Now = Injected[Clock]
"""``clock``: the service's clock."""
Own = Injected[TerminalsOwn]
"""``own``: terminals' own settings."""
Facts = Injected[DecisionFacts]
"""``facts``: what a connection decision is made from."""
Decisions = Injected[DecisionLog]
"""``decisions``: where decisions are recorded (group commit)."""
Channel = Injected[ControlChannel]
"""``channel``: the agents' control channel."""
