"""``./fumidai projections``: list and rebuild a service's projections from the streams."""

import argparse
import asyncio
import importlib
import os
import sys
from collections.abc import Sequence
from typing import Any

import asyncpg
import msgspec
import nats

from fumidai_cli.state import read_runtime
from libs.events.projection import Projection
from libs.events.rebuild import rebuild
from libs.events.settings import load_event_settings
from libs.runtime.nats_client import connect_options
from libs.runtime.settings import load_core

PROJECTING = ("terminals", "audit", "fileshare")


def register(commands: Any) -> None:
    parser = commands.add_parser("projections", help="list or rebuild projections")
    actions = parser.add_subparsers(dest="action", required=True)
    listing = actions.add_parser("list", help="every service's projections")
    listing.set_defaults(run=run_list)
    again = actions.add_parser("rebuild", help="rebuild a service's projections and swap them in")
    again.add_argument("service", choices=PROJECTING)
    again.add_argument("--projection", help="only this one (default: all of the service's)")
    again.add_argument(
        "--compare", action="store_true", help="rebuild and compare only; leave the live rows"
    )
    again.set_defaults(run=run_rebuild)


def projections_of(service: str) -> Sequence[Projection]:
    module = importlib.import_module(f"services.{service}.consumers")
    found: Sequence[Projection] = module.PROJECTIONS
    return found


def run_list(_: argparse.Namespace, __: list[str]) -> int:
    for service in PROJECTING:
        for projection in projections_of(service):
            events = ", ".join(sorted(e.__name__ for e in projection.events))
            print(f"{service:10} {projection.name:24} tables: {', '.join(projection.tables)}")
            print(f"{'':10} {'':24} events: {events}")
    return 0


def run_rebuild(args: argparse.Namespace, _: list[str]) -> int:
    runtime = read_runtime()
    database_url = os.environ.get(f"FUMIDAI_{args.service.upper()}_DATABASE_URL")
    nats_url = os.environ.get("FUMIDAI_NATS_URL")
    if runtime is not None:
        database_url = database_url or runtime.database_url(args.service)
        nats_url = nats_url or runtime.nats_url
    if not database_url or not nats_url:
        print("No suite is running: start ./fumidai up, or set the URLs.", file=sys.stderr)
        return 2
    chosen = [p for p in projections_of(args.service) if args.projection in (None, p.name)]
    if not chosen:
        print(f"{args.service} has no projection {args.projection!r}", file=sys.stderr)
        return 2
    # The rebuild acts for the service, as the service's own NATS identity (decision 0026).
    upper = args.service.upper()
    core = load_core(args.service, {**os.environ, f"FUMIDAI_{upper}_DATABASE_URL": database_url})
    if runtime is not None and not core.nats_nkey_seed_file:
        core = msgspec.structs.replace(
            core, nats_nkey_seed_file=runtime.nats_seed_file(args.service)
        )
    options = connect_options(core, args.service)
    return asyncio.run(_rebuild(database_url, nats_url, options, chosen, swap=not args.compare))


async def _rebuild(
    database_url: str,
    nats_url: str,
    nats_options: dict[str, Any],
    chosen: Sequence[Projection],
    *,
    swap: bool,
) -> int:
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=4)
    nc = await nats.connect(nats_url, **nats_options)
    differ = 0
    try:
        for projection in chosen:
            report = await rebuild(pool, nc, projection, load_event_settings(), swap=swap)
            diff = sum(report.differences.values())
            differ += diff
            verb = "swapped in" if swap else "compared"
            print(
                f"{projection.name}: {report.events} events replayed, "
                f"{diff} rows differed from the live tables, {verb}"
            )
    finally:
        await nc.drain()
        await pool.close()
    return 0 if swap or differ == 0 else 1
