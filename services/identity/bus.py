"""identity's rights on the event bus: its events and sign-ins, its projection's consumers."""

from libs.events.access import service_rights
from services.identity.consumers import PROJECTIONS

RIGHTS = service_rights("identity", publishes=("identity", "signin"), projections=PROJECTIONS)
