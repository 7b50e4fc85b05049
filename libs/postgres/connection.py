"""The connection type the code accepts: a plain asyncpg connection or a pooled one."""

from typing import TypeAlias

import asyncpg
from asyncpg.pool import PoolConnectionProxy

Connection: TypeAlias = asyncpg.Connection | PoolConnectionProxy
"""Anything ``execute``/``fetch`` can be called on inside or outside a transaction."""
