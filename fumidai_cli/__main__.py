"""Dispatch ``./fumidai <command>``."""

import argparse
import sys

from fumidai_cli import admin, agent, facility, lock, nats_identities, projections, test, up


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="fumidai", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    up.register(commands)
    test.register(commands)
    facility.register(commands)
    projections.register(commands)
    agent.register(commands)
    admin.register(commands)
    nats_identities.register(commands)
    lock.register(commands)
    args, rest = parser.parse_known_args(argv)
    if rest and args.command != "test":
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    code: int = args.run(args, rest)
    return code


if __name__ == "__main__":
    sys.exit(main())
