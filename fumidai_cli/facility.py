"""``./fumidai facility create|set|show``: an operator registers a facility and its first
admin, changes its settings (SPEC T1, L1; issue 15) and reads them all back;
``./fumidai facility targets``: its 認証連携先 catalogue (``federation_targets``)."""

import argparse
import asyncio
import sys
from typing import Any

from fumidai_cli import federation_targets
from fumidai_cli.operator_commands import add_operator_arguments, identity_database_url, refused
from libs.runtime.refusals import DomainError
from services.identity.bootstrap import change_settings, create_facility, facility_settings
from services.identity.domain.facility import (
    ChangeFacilitySettings,
    PasswordExpiry,
    RegisterFacility,
)


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
        "--notify-address",
        action="append",
        default=[],
        metavar="EMAIL",
        help="an address for the facility's notices besides its admins' (repeatable)",
    )
    add_operator_arguments(create)
    create.set_defaults(run=run_create)
    federation_targets.register(actions)
    _register_set(actions)
    show = actions.add_parser("show", help="print every setting of a facility")
    show.add_argument("code", help="3-digit facility code")
    add_operator_arguments(show)
    show.set_defaults(run=run_show)


def _register_set(actions: Any) -> None:
    change = actions.add_parser(
        "set",
        help="change settings of a facility; what is not given stays as it is",
        description="Lists given replace the old list whole; --no-… clears one.",
    )
    change.add_argument("code", help="3-digit facility code")
    change.add_argument("--name", help='display name, e.g. "998-Dev Hospital"')
    change.add_argument("--time-zone", help="IANA time zone, e.g. Asia/Tokyo")
    change.add_argument("--download-period-months", type=int, help="1-12")
    networks = change.add_mutually_exclusive_group()
    networks.add_argument(
        "--internal-network",
        action="append",
        metavar="CIDR",
        help="a network counted as inside the facility (院内); repeatable, replaces the list",
    )
    networks.add_argument(
        "--no-internal-networks", action="store_true", help="clear the internal networks"
    )
    addresses = change.add_mutually_exclusive_group()
    addresses.add_argument(
        "--notify-address",
        action="append",
        metavar="EMAIL",
        help="an address for the facility's notices; repeatable, replaces the list",
    )
    addresses.add_argument(
        "--no-notify-addresses", action="store_true", help="clear the notification addresses"
    )
    change.add_argument(
        "--password-expiry-days",
        type=_expiry,
        metavar="N|never",
        help="days a password lasts after its change (1-3650), or never (L1)",
    )
    add_operator_arguments(change)
    change.set_defaults(run=run_set)


def _expiry(value: str) -> PasswordExpiry:
    if value.strip().lower() == "never":
        return PasswordExpiry(None)
    try:
        return PasswordExpiry(int(value))
    except ValueError:
        raise argparse.ArgumentTypeError("a number of days, or never") from None


def run_create(args: argparse.Namespace, _: list[str]) -> int:
    url = identity_database_url(args)
    if url is None:
        return 2
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
                    notification_addresses=tuple(args.notify_address),
                ),
                operator=args.operator,
            )
        )
    except DomainError as error:
        return refused(error)
    print(f"facility  {args.code}  {args.name}")
    print(f"admin     {created.admin_account}")
    print(f"password  {created.initial_password}")
    print(f"second    {created.initial_second_password}")
    print(
        "Both are shown once; the admin sets a new password at first sign-in "
        "and keeps the second password."
    )
    return 0


def _listed(values: list[str] | None, clear: bool) -> tuple[str, ...] | None:
    return () if clear else None if values is None else tuple(values)


def run_set(args: argparse.Namespace, _: list[str]) -> int:
    url = identity_database_url(args)
    if url is None:
        return 2
    cmd = ChangeFacilitySettings(
        code=args.code,
        name=args.name,
        time_zone=args.time_zone,
        download_period_months=args.download_period_months,
        internal_networks=_listed(args.internal_network, args.no_internal_networks),
        notification_addresses=_listed(args.notify_address, args.no_notify_addresses),
        password_expiry=args.password_expiry_days,
    )
    try:
        done = asyncio.run(change_settings(url, cmd, args.operator))
    except DomainError as error:
        return refused(error)
    print(f"facility  {args.code}")
    print(f"changed   {', '.join(done.changed)}")
    return 0


_SHOWN = (
    ("code", "code"),
    ("name", "name"),
    ("domain", "domain"),
    ("time zone", "time_zone"),
    ("download period (months)", "download_period_months"),
    ("internal networks", "internal_networks"),
    ("notification addresses", "notification_addresses"),
    ("password expiry (days)", "password_max_age_days"),
    ("federation targets", "federation_targets"),
)


def run_show(args: argparse.Namespace, _: list[str]) -> int:
    url = identity_database_url(args)
    if url is None:
        return 2
    found = asyncio.run(facility_settings(url, args.code))
    if found is None:
        print(f"facility_not_found: no facility {args.code}", file=sys.stderr)
        return 1
    for label, key in _SHOWN:
        value = found[key]
        if key == "federation_targets":
            value = [t["name"] + (" (retired)" if t["retired"] else "") for t in value]
        if isinstance(value, list):
            text = ", ".join(value) if value else "(none)"
        elif value is None:
            text = "never"  # only the password expiry is ever None
        else:
            text = str(value)
        print(f"{label + ':':27} {text}")
    return 0
