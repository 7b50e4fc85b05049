"""fileshare's rights on the event bus: its events, its consumers (projections and the mail
notifications), and alone the object store of the shared files."""

from libs.events.access import service_rights
from services.fileshare.adapters.mail_notifications import MailNotifications
from services.fileshare.consumers import PROJECTIONS

MAIL_DURABLES = tuple(
    (context, f"{MailNotifications.name}__{context}")
    for context in sorted({event.context for event in MailNotifications.events})
)
"""The mail consumer, built at runtime (it needs the mailer): its durables by name."""

RIGHTS = service_rights(
    "fileshare",
    publishes=("fileshare",),
    projections=PROJECTIONS,
    durables=MAIL_DURABLES,
    object_store=True,
)
