"""What identity's routes are given by name (Litestar DI), all of it built in bootstrap
(``bootstrap.bootstrap``'s ``dependencies``).

``Injected``, not ``NamedDependency``: the units of work are typed by the ports the use
cases take (Protocols), and the clock is a callable; Litestar can check neither.
"""

import asyncpg

from libs.events.clock import Clock
from libs.runtime.app import Injected
from services.identity.adapters.file_seal import FileSeal
from services.identity.adapters.job_runner import JobRunner
from services.identity.adapters.postgres import Facility
from services.identity.app.credential_ports import CredentialUnitOfWork
from services.identity.app.facility_settings import SettingsUnitOfWork
from services.identity.app.federation import CatalogueUnitOfWork
from services.identity.app.password_ports import Passwords
from services.identity.app.recovery import Recoveries
from services.identity.app.signin import SignIns
from services.identity.app.unit_of_work import UnitOfWork, UserUnitOfWork
from services.identity.settings import IdentityOwn

Db = Injected[asyncpg.Pool]
"""``db``: connections for the routes' reads (``adapters/user_reads.py`` …)."""
InFacility = Injected[Facility]
"""``facility``: the path's facility, read once its guard let the caller act there."""
Now = Injected[Clock]
"""``clock``: the time identity decides by."""
Own = Injected[IdentityOwn]
"""``own``: identity's own settings."""

# ``uow``: a unit of work of its own for each request, typed by the port its use case takes.
FacilityWork = Injected[UnitOfWork]
UsersWork = Injected[UserUnitOfWork]
SettingsWork = Injected[SettingsUnitOfWork]
CatalogueWork = Injected[CatalogueUnitOfWork]
CredentialsWork = Injected[CredentialUnitOfWork]

Seal = Injected[FileSeal]
"""``seal``: the at-rest key of the CSV jobs' files."""
Jobs = Injected[JobRunner]
"""``job_runner``: the CSV jobs' runner, woken when a job is queued."""
SignInSteps = Injected[SignIns]
"""``signins``: the sign-in steps and a signed-in caller's own credential checks."""
RecoverySteps = Injected[Recoveries]
"""``recoveries``: 「パスワードを忘れた場合」's steps."""
Hashing = Injected[Passwords]
"""``passwords``: making, hashing and checking passwords (``app/password_ports.py``)."""
