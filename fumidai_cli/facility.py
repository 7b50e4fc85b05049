"""``./fumidai facility create``: an operator registers a facility and its first admin;
``./fumidai facility targets``: its 認証連携先 catalogue (``federation_targets``)."""

import argparse
import asyncio
import os
import sys
from typing import Any

from fumidai_cli import federation_targets
from fumidai_cli.state import read_runtime
from libs.runtime.problems import DomainError
from services.identity.domain.facility import RegisterFacility
from services.identity.operator_cli import create_facility


def register(commands: Any) -> None:
    parser = commands.add_parser("facility", help="operate facilities")
    actions = parser.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="register a facility and its first admin")
    create.add_argument("--code", required=True, help="3-digit facility code, e.g. 998")
    create.add_argument("--name", required=True, help='display name, e.g. "998-Dev Hospital"')
    create.add_argument("--domain", required=True, help="account domain")
    create.add_argument("--admin", required=True, help="first admin's name part")
    create.add_argument(
        "--admin-full-name", required=True, help='first admin\'s 氏名, e.g. "山田 花子"'
    )
    create.add_argument("--admin-email", required=True, help="first admin's e-mail address")
    create.add_argument("--time-zone", default="Asia/Tokyo")
    create.add_argument("--download-period-months", type=int, default=3)
    create.add_argument("--internal-network", action="append", default=[], metavar="CIDR")
    create.add_argument(
        "--database-url",
        default=os.environ.get("FUMIDAI_IDENTITY_DATABASE_URL"),
        help="identity's database (default: the suite started by ./fumidai up)",
    )
    create.add_argument("--operator", default=os.environ.get("USER", "operator"))
    create.set_defaults(run=run_create)
    federation_targets.register(actions)


def run_create(args: argparse.Namespace, _: list[str]) -> int:
    url = args.database_url
    if not url:
        runtime = read_runtime()
        if runtime is None:
            print(
                "No suite is running: start ./fumidai up, or pass --database-url.", file=sys.stderr
            )
            return 2
        url = runtime.database_url("identity")
    try:
        created = asyncio.run(
            create_facility(
                url,
                RegisterFacility(
                    code=args.code,
                    name=args.name,
                    domain=args.domain,
                    admin_name=args.admin,
                    admin_display_name=args.admin_full_name,
                    admin_email=args.admin_email,
                    time_zone=args.time_zone,
                    download_period_months=args.download_period_months,
                    internal_networks=tuple(args.internal_network),
                ),
                operator=args.operator,
            )
        )
    except DomainError as error:
        print(f"{error.code}: {error.message}", file=sys.stderr)
        return 1
    print(f"facility  {args.code}  {args.name}")
    print(f"admin     {created.admin_account}")
    print(f"password  {created.initial_password}")
    print(f"second    {created.initial_second_password}")
    print(
        "Both are shown once; the admin sets a new password at first sign-in "
        "and keeps the second password."
    )
    return 0
