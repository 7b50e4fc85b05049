"""Internal paths as the services' contracts publish them: Litestar route templates
(``/internal/v1/facilities/{code:str}/users``) that the service routes on and its callers
fill in, so a path is written once (decision 0034)."""

import re
from urllib.parse import quote

_PARAM = re.compile(r"\{(\w+)(?::\w+)?\}")


def segment(value: str) -> str:
    """``value`` as one path segment of a service's URL: ``/``, ``..`` and control
    characters in an id can never reach another route."""
    return quote(value, safe="") if value not in (".", "..") else quote(value).replace(".", "%2E")


def fill(template: str, **values: str) -> str:
    """``template`` with each ``{name}`` or ``{name:type}`` replaced by ``values[name]`` as
    one segment; a name without a value is a caller's bug (``KeyError``)."""
    return _PARAM.sub(lambda match: segment(values[match.group(1)]), template)
