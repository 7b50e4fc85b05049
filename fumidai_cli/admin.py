"""``./fumidai admin reset-password|reset-second-password|reset-mfa --account ...``: an
operator's resets (SPEC T4, issue 15's recovery of a lost second password)."""

import argparse
import asyncio
import os
import sys
from typing import Any

from fumidai_cli.state import read_runtime
from libs.runtime.problems import DomainError
from services.identity.operator_cli import reset_admin


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "admin", help="reset a facility admin's password, second password or MFA"
    )
    actions = parser.add_subparsers(dest="action", required=True)
    for name, help_text in (
        ("reset-password", "give the admin a new initial password, shown once"),
        ("reset-second-password", "give the admin a new second password, shown once"),
        ("reset-mfa", "unbind the admin's authenticator; it enrols again at next sign-in"),
    ):
        action = actions.add_parser(name, help=help_text)
        action.add_argument(
            "--account", required=True, help="full account, e.g. 998-admin01@example.jp"
        )
        action.add_argument(
            "--database-url",
            default=os.environ.get("FUMIDAI_IDENTITY_DATABASE_URL"),
            help="identity's database (default: the suite started by ./fumidai up)",
        )
        action.add_argument("--operator", default=os.environ.get("USER", "operator"))
        action.set_defaults(
            run=run_reset,
            mfa=name == "reset-mfa",
            second_password=name == "reset-second-password",
        )


def run_reset(args: argparse.Namespace, _: list[str]) -> int:
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
        done = asyncio.run(
            reset_admin(
                url,
                args.account,
                args.operator,
                mfa=args.mfa,
                second_password=args.second_password,
            )
        )
    except DomainError as error:
        print(f"{error.code}: {error.message}", file=sys.stderr)
        return 1
    print(f"admin     {done.account}")
    if args.second_password:
        print(f"second    {done.initial_second_password}")
        print("This second password is shown once; the old one no longer works.")
    elif done.initial_password is None:
        print("The authenticator is unbound; the admin enrols a new one at next sign-in.")
    else:
        print(f"password  {done.initial_password}")
        if done.initial_second_password:
            print(f"second    {done.initial_second_password}")
        print("This password is shown once; the admin sets a new one at next sign-in.")
    return 0
