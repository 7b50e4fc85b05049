"""audit's projections: the logs admins read (SPEC A1) and the directory that names them."""

from services.audit.projections.connections import ConnectionLog
from services.audit.projections.directory import Directory
from services.audit.projections.fileshare import FileShareLog
from services.audit.projections.operations import OperationsLog
from services.audit.projections.signins import SignInLog

PROJECTIONS = (Directory(), ConnectionLog(), SignInLog(), FileShareLog(), OperationsLog())
