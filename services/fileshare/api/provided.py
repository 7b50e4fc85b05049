"""What fileshare's routes are given by name (Litestar DI), all of it built in bootstrap."""

import asyncpg
from litestar.di import NamedDependency

from services.fileshare.app.context import Context

Ctx = NamedDependency[Context]
"""``ctx``: the use cases' ports, settings and clock."""
Db = NamedDependency[asyncpg.Pool]
"""``db``: connections for the routes' reads (``adapters/share_views.py``)."""
