"""``./fumidai admin add|disable|enable|reset-password|reset-second-password|reset-mfa``:
an operator's work on a facility's admins (SPEC T4; issue 15: admins as people, never
deleted (manual 3.2), and the recovery of a lost second password)."""

import argparse
import asyncio
from typing import Any

from fumidai_cli.operator_commands import add_operator_arguments, identity_database_url, refused
from libs.runtime.refusals import DomainError
from services.identity.bootstrap import add_facility_admin, reset_admin, switch_admin


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "admin",
        help="add, disable or enable a facility admin; reset its password, second password or MFA",
    )
    actions = parser.add_subparsers(dest="action", required=True)
    add = actions.add_parser(
        "add", help="add an admin to a facility; its password and second password shown once"
    )
    add.add_argument("--facility", required=True, help="3-digit facility code, e.g. 998")
    add.add_argument("--name", required=True, help="the account's name part, e.g. admin02")
    add.add_argument("--full-name", required=True, help='the admin\'s 氏名, e.g. "山田 花子"')
    add.add_argument("--email", required=True, help="the admin's e-mail address")
    add_operator_arguments(add)
    add.set_defaults(run=run_add)
    for name, help_text in (
        ("disable", "disable the admin: it cannot sign in and its sessions end (never deleted)"),
        ("enable", "enable a disabled admin again"),
    ):
        action = actions.add_parser(name, help=help_text)
        action.add_argument(
            "--account", required=True, help="full account, e.g. 998-admin01@example.jp"
        )
        add_operator_arguments(action)
        action.set_defaults(run=run_switch, disabled=name == "disable")
    for name, help_text in (
        ("reset-password", "give the admin a new initial password, shown once"),
        ("reset-second-password", "give the admin a new second password, shown once"),
        ("reset-mfa", "unbind the admin's authenticator; it enrols again at next sign-in"),
    ):
        action = actions.add_parser(name, help=help_text)
        action.add_argument(
            "--account", required=True, help="full account, e.g. 998-admin01@example.jp"
        )
        add_operator_arguments(action)
        action.set_defaults(
            run=run_reset,
            mfa=name == "reset-mfa",
            second_password=name == "reset-second-password",
        )


def run_add(args: argparse.Namespace, _: list[str]) -> int:
    url = identity_database_url(args)
    if url is None:
        return 2
    try:
        done = asyncio.run(
            add_facility_admin(
                url, args.facility, args.name, args.full_name, args.email, args.operator
            )
        )
    except DomainError as error:
        return refused(error)
    print(f"admin     {done.account}")
    print(f"name      {done.display_name}")
    print(f"email     {done.email}")
    print(f"password  {done.initial_password}")
    print(f"second    {done.initial_second_password}")
    print(
        "Both are shown once; the admin sets a new password at first sign-in "
        "and keeps the second password."
    )
    return 0


def run_switch(args: argparse.Namespace, _: list[str]) -> int:
    url = identity_database_url(args)
    if url is None:
        return 2
    try:
        done = asyncio.run(switch_admin(url, args.account, args.operator, disabled=args.disabled))
    except DomainError as error:
        return refused(error)
    print(f"admin     {done.account}")
    if done.disabled:
        print("Disabled: the admin cannot sign in and its sessions end now.")
    else:
        print("Enabled: the admin signs in again with its credentials as they were.")
    return 0


def run_reset(args: argparse.Namespace, _: list[str]) -> int:
    url = identity_database_url(args)
    if url is None:
        return 2
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
        return refused(error)
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
