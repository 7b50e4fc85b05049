"""terminals's rights on the event bus: its events, its consumers, the terminal signals."""

from libs.events.access import service_rights
from services.terminals.consumers import PROJECTIONS
from services.terminals.reactions import UserDeletionReactor

RIGHTS = service_rights(
    "terminals",
    publishes=("terminals",),
    projections=PROJECTIONS,
    durables=(("identity", UserDeletionReactor.durable),),
    signals=("terminals",),
)
