"""The gateway's rights on the event bus: it publishes nothing, it reads session revocations."""

from libs.events.access import service_rights
from services.gateway.consumers import PROJECTIONS

RIGHTS = service_rights("gateway", projections=PROJECTIONS)
