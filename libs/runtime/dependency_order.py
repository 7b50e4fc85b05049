"""A request's dependencies resolved one after another, never in a task group.

Litestar resolves the dependencies of one level of a handler's dependency graph
concurrently, in an anyio task group, whenever there is more than one (litestar#4563).
Ours are all quick (a value the composition root built, the verified caller, a cached
facility): the group, its tasks and cancel scopes cost more than everything they
resolve. A handler of three such dependencies spent ~70 µs a request on it, and at
saturation identity's user list fell from 2,000 to 1,450 answers a second when its
handlers moved from closures to Controllers with injected dependencies
(docs/decisions/0047).

``resolve_in_turn()`` replaces the one method that does it. The replacement keeps
Litestar's order (level by level), its cleanup of generator dependencies and its
errors (the first one raised, as the group re-raised it). It is written against
Litestar 2.25.0 (constraints.txt); ``tests`` pin the source it replaces, so an upgrade
that changes it fails until someone looks again.

A plain provider (a function of no parameter run in the request's thread, as
``libs.runtime.app.provided`` makes) is called directly, as ``resolve_dependency`` and
``Provide.__call__`` would call it; those two are pinned too (docs/decisions/0049).
"""

from typing import Any

from litestar._kwargs import kwargs_model
from litestar._kwargs.cleanup import DependencyCleanupGroup
from litestar._kwargs.dependencies import resolve_dependency
from litestar.connection import ASGIConnection
from litestar.di import Provide

LITESTARS = kwargs_model.KwargsModel.resolve_dependencies
"""Litestar's own method, kept for the test that pins what it replaces."""


def _plain(provide: Provide) -> bool:
    """Whether ``provide`` is a plain call: a function of no parameter, run in the request's
    thread, neither cached nor a generator (``libs.runtime.app.provided``'s kind)."""
    return (
        provide.has_sync_callable
        and not provide.use_cache
        and not provide.has_sync_generator_dependency
        and not provide.has_async_generator_dependency
        and not provide.signature_model._fields
    )


async def resolve_dependencies(
    self: kwargs_model.KwargsModel,
    connection: ASGIConnection[Any, Any, Any, Any],
    kwargs: dict[str, Any],
) -> DependencyCleanupGroup:
    """Resolve every dependency into ``kwargs``, level by level, one at a time."""
    cleanup_group = DependencyCleanupGroup()
    for batch in self.dependency_batches:
        for dependency in batch:
            provide = dependency.provide
            if _plain(provide):
                # What resolve_dependency and Provide.__call__ come to for such a
                # provider, without their two coroutines: a handler given five parts
                # of its composition root spent ~2 µs a part on them (decision 0049).
                kwargs[dependency.key] = provide.dependency()
            else:
                await resolve_dependency(dependency, connection, kwargs, cleanup_group)
    return cleanup_group


def resolve_in_turn() -> None:
    """Make every Litestar app in this process resolve dependencies one at a time."""
    kwargs_model.KwargsModel.resolve_dependencies = resolve_dependencies  # type: ignore[method-assign]
