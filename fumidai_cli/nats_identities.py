"""``./fumidai nats-identities``: NKeys and the NATS authorization block of a deployment.

Writes one seed per service (and per outside reader asked for) into a folder, to hand to
each service as a secret (``FUMIDAI_<SERVICE>_NATS_NKEY_SEED_FILE``), one for the
provisioner (the operator's identity that changes streams' settings), and prints the
``authorization`` block for nats-server's configuration: public keys and permissions only,
no secret (decision 0026). Run it again to rotate: new seeds, new block, restart.
"""

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from libs.devservers import bus_identities
from libs.devservers.natsauth import NatsUser, write_seeds


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "nats-identities", help="make the services' NATS NKeys and the server's authorization"
    )
    parser.add_argument("--out", type=Path, required=True, help="folder for the seed files")
    parser.add_argument(
        "--reader",
        action="append",
        default=[],
        help="also a read-only identity for an audit consumer or SIEM outside the suite",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, _: list[str]) -> int:
    """Seeds into ``--out``; the authorization block on stdout.

    Subjects, streams and bucket follow ``FUMIDAI_EVENTS_*`` and ``FUMIDAI_FILESHARE_BUCKET``
    as the services will see them.
    """
    env = dict(os.environ)
    users = bus_identities.service_users(env)
    try:
        users += [bus_identities.reader_user(name, env) for name in args.reader]
    except ValueError as error:
        print(f"fumidai: {error}", file=sys.stderr)
        return 2
    users.append(bus_identities.provisioner_user(env))
    write_seeds(args.out, users)
    print(authorization_block(users))
    return 0


def authorization_block(users: list[NatsUser]) -> str:
    """nats-server's ``authorization`` block, each user under a comment naming it."""
    entries = ",\n".join(f"    # {user.name}\n    {json.dumps(user.config())}" for user in users)
    return f"authorization {{\n  users = [\n{entries}\n  ]\n}}"
