"""audit's rights on the event bus: it only reads, through its projections' consumers."""

from libs.events.access import service_rights
from services.audit.consumers import PROJECTIONS

RIGHTS = service_rights("audit", projections=PROJECTIONS)
