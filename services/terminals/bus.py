"""terminals's rights on the event bus: its events, its consumers, the terminal signals."""

from libs.events.access import service_rights
from services.terminals.adapters.user_deletion import UserDeletionReactor
from services.terminals.consumers import PROJECTIONS

RIGHTS = service_rights(
    "terminals",
    publishes=("terminals",),
    projections=PROJECTIONS,
    durables=(("identity", UserDeletionReactor.durable),),
    signals=("terminals",),
)
