"""Demo data of ``./fumidai up``: facility 998 of the manual and its first admin, and on
its first start (unless ``--empty``) the terminals, users and log rows of ``demo_seed``."""

import time
from collections.abc import Callable
from pathlib import Path

import msgspec

from fumidai_cli.demo_seed import SuiteUrls, seed
from libs.devservers.suite import Suite
from libs.runtime.token_keys import OPERATOR
from services.identity.bootstrap import create_facility, facility_exists
from services.identity.domain.facility import RegisterFacility

DEMO_FACILITY = RegisterFacility(
    code="998",
    name="998-Dev Hospital",
    domain="nrasdev.onmicrosoft.com",
    admin_name="operation-admin01",
    # Mail to the facility goes to its enabled admins' own addresses (F6): the demo admin's
    # lands in the mail catcher of ``up`` (.fumidai/mail) like every other mail.
    admin_email="operation-admin01@demo.fumidai.invalid",
    internal_networks=("10.0.0.0/8", "192.168.0.0/16"),
)


class DemoAdmin(msgspec.Struct, frozen=True):
    account: str
    password: str
    fresh: bool = False
    second_password: str = ""
    note: str = "demo admin's initial password as first shown; changed if you changed it"


async def ensure_demo(
    suite: Suite, state: Path, say: Callable[[str], None], *, empty: bool
) -> DemoAdmin:
    """Create facility 998 once, with the demo data unless ``empty``; remember its admin's
    initial password for this machine.

    The data is seeded once, right after the facility is created: a later start finds the
    facility and leaves everything as the person left it (remove ``.fumidai`` to start
    over). Seeding never signs the demo admin in: that first sign-in is the person's.

    The password is kept only in ``.fumidai/demo-admin.json`` (mode 0600) so that a second
    ``up`` can show it again: a local demo convenience; real facilities are created with
    ``./fumidai facility create``, which shows the password once and keeps nothing.
    """
    path = state / "demo-admin.json"
    identity_url = suite.database_url("identity")
    if await facility_exists(identity_url, DEMO_FACILITY.code):
        if path.exists():
            return msgspec.json.decode(path.read_bytes(), type=DemoAdmin)
        return DemoAdmin(
            account=f"998-{DEMO_FACILITY.admin_name}@{DEMO_FACILITY.domain}",
            password="(shown when it was created)",
            note="reset it with the operator tools if lost",
        )
    created = await create_facility(identity_url, DEMO_FACILITY, operator="fumidai-up")
    admin = DemoAdmin(
        account=created.admin_account,
        password=created.initial_password,
        second_password=created.initial_second_password,
    )
    path.write_bytes(msgspec.json.encode(admin))
    path.chmod(0o600)
    if not empty:
        say("adding demo data to facility 998 (once; ./fumidai up --empty skips it) ...")
        started = time.monotonic()
        urls = SuiteUrls(suite.url("gateway"), suite.url("identity"), suite.url("terminals"))
        report = await seed(urls, suite.token_keys[OPERATOR])
        say(
            f"demo data: {report.users} users, {report.terminals} terminals, "
            f"{report.sessions} sessions ({report.live} live), {report.refused} refused, "
            f"{report.sign_ins + report.failed_sign_ins} sign-ins, {report.shares} shares "
            f"in {time.monotonic() - started:.1f}s"
        )
    return DemoAdmin(
        admin.account, admin.password, fresh=True, second_password=admin.second_password
    )
