"""What audit consumes: its projections of the other services' events, the logs admins
read (SPEC A1) and the directory that names them (``adapters/projections/``)."""

from services.audit.adapters.projections import PROJECTIONS

__all__ = ["PROJECTIONS"]
