"""The gateway's Controller base: routes in the order they are written."""

from litestar import Controller
from litestar.handlers import BaseRouteHandler


class OrderedController(Controller):
    """A Controller whose routes keep the order their handlers are written in, a class's
    own before those it inherits.

    Litestar orders a controller's handlers by name, and the OpenAPI documents list paths
    in the order routes are registered: written order keeps the checked-in documents
    (docs/api) reading as the code does, the sign-in's first step first.
    """

    def get_route_handlers(self) -> list[BaseRouteHandler]:
        mro = type(self).__mro__

        def written(handler: BaseRouteHandler) -> tuple[int, int]:
            fn = getattr(handler.fn, "__func__", handler.fn)
            owner = fn.__qualname__.rpartition(".")[0]
            depth = next(i for i, cls in enumerate(mro) if cls.__qualname__ == owner)
            return depth, fn.__code__.co_firstlineno

        return sorted(super().get_route_handlers(), key=written)
