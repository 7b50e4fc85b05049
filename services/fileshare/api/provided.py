"""What fileshare's routes are given by name (Litestar DI), all of it built in bootstrap."""

import asyncpg

from libs.runtime.app import Injected
from services.fileshare.app.context import Context

Ctx = Injected[Context]
"""``ctx``: the use cases' ports, settings and clock."""
Db = Injected[asyncpg.Pool]
"""``db``: connections for the routes' reads (``adapters/share_views.py``)."""
