"""Controllers that serve the same routes on both signed-in surfaces: the admin API
(``/api/v1``) and the user API (``/user-api/v1``)."""

from typing import Any, ClassVar, Literal

from litestar.handlers import HTTPRouteHandler

from services.gateway.api.ordered import OrderedController

Role = Literal["admin", "user"]


class SurfaceController(OrderedController):
    """A controller one subclass of which serves each surface, naming its ``role``."""

    role: ClassVar[Role]


def per_surface(name: str) -> Any:
    """An operation id creator: ``name`` on the admin surface, ``user<Name>`` on the
    user surface (``signInTotp``, ``userSignInTotp``), from the handler's controller."""

    def operation_id(handler: HTTPRouteHandler, *_: Any) -> str:
        # A controller's handlers are its bound methods (Litestar makes it a router).
        controller = getattr(handler.fn, "__self__", None)
        if isinstance(controller, SurfaceController) and controller.role == "user":
            return f"user{name[0].upper()}{name[1:]}"
        return name

    return operation_id
