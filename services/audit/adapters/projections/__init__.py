"""audit's projections: the logs admins read (SPEC A1) and the directory that names them."""

from services.audit.adapters.projections.connections import ConnectionLog
from services.audit.adapters.projections.directory import Directory
from services.audit.adapters.projections.fileshare import FileShareLog
from services.audit.adapters.projections.operations import OperationsLog
from services.audit.adapters.projections.signins import SignInLog

PROJECTIONS = (Directory(), ConnectionLog(), SignInLog(), FileShareLog(), OperationsLog())
"""Each one durable consumer of the streams it reads, writing its tables (libs/events)."""
