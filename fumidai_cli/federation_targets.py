"""``./fumidai facility targets CODE [add NAME | rename OLD NEW | retire NAME]``: an
operator lists and changes a facility's 認証連携先 catalogue (SPEC T1, U1; issue 15).

Without an action it lists the targets, retired ones marked. Each change is one event
of the facility; identity's relay publishes it as soon as the command commits.
"""

import argparse
import asyncio
from typing import Any

from fumidai_cli.operator_commands import add_operator_arguments, identity_database_url, refused
from libs.runtime.refusals import DomainError
from services.identity.bootstrap import change_federation_targets, list_federation_targets


def register(actions: Any) -> None:
    """Add ``targets`` to ``./fumidai facility``'s actions."""
    targets = actions.add_parser(
        "targets",
        help="list a facility's 認証連携先, or add, rename or retire one",
        description="Without an action: list the targets (retired ones marked).",
    )
    targets.add_argument("code", help="3-digit facility code, e.g. 998")
    add_operator_arguments(targets)
    changes = targets.add_subparsers(dest="change", required=False)
    add = changes.add_parser("add", help="add a target users can be given")
    add.add_argument("name", help="1–64 printable characters, no comma")
    rename = changes.add_parser("rename", help="rename a target; users who have it follow")
    rename.add_argument("old", help="the target's current name, exactly")
    rename.add_argument("new")
    retire = changes.add_parser(
        "retire", help="retire a target: no one new gets it, users who have it keep it"
    )
    retire.add_argument("name", help="the target's name, exactly")
    targets.set_defaults(run=run_targets)


def run_targets(args: argparse.Namespace, _: list[str]) -> int:
    url = identity_database_url(args)
    if url is None:
        return 2
    try:
        if args.change is None:
            state = asyncio.run(list_federation_targets(url, args.code))
            for name, retired in sorted(state.targets.items()):
                print(f"{name}\t(retired)" if retired else name)
            return 0
        done = asyncio.run(
            change_federation_targets(
                url,
                args.code,
                args.operator,
                add=args.name if args.change == "add" else None,
                rename=(args.old, args.new) if args.change == "rename" else None,
                retire=args.name if args.change == "retire" else None,
            )
        )
    except DomainError as error:
        return refused(error)
    event = done.event
    print(f"{args.change:8}  {args.code}  {event.name}")
    return 0
