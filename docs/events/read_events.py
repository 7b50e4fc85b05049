"""Read fumidai's events as an audit consumer or SIEM outside the suite (docs/events/README.md).

Signs in to NATS with a read-only identity (an NKey seed file, see decision 0026), keeps one
durable consumer per context stream named ``<name>__<context>``, and prints each event as
one JSON line on stdout, acknowledging it once printed: a restart goes on where it stopped.
Needs only ``nats-py`` and ``nkeys``; copy it and adapt the output to your collector.

    python docs/events/read_events.py --url nats://nats:4222 --seed siem.nk --name siem
"""

import argparse
import asyncio
import json
import ssl
import sys

import nats
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

CONTEXTS = ("fileshare", "identity", "signin", "terminals")


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="NATS URL(s), comma-separated")
    parser.add_argument("--seed", required=True, help="file holding the reader's NKey seed")
    parser.add_argument("--name", required=True, help="the reader's name (its identity)")
    parser.add_argument("--root", default="fumidai", help="subject root (FUMIDAI_EVENTS_…)")
    parser.add_argument("--prefix", default="FUMIDAI", help="stream name prefix")
    parser.add_argument("--context", action="append", choices=CONTEXTS, help="default: all")
    parser.add_argument("--ca", help="CA bundle of the NATS server's certificate (TLS)")
    parser.add_argument("--count", type=int, help="stop after this many events")
    parser.add_argument("--idle", type=float, help="stop after this many seconds without one")
    return parser.parse_args(argv)


async def read(args: argparse.Namespace) -> int:
    tls = ssl.create_default_context(cafile=args.ca) if args.ca else None
    nc = await nats.connect(
        args.url.split(","),
        nkeys_seed=args.seed,
        # Replies to this reader come on its own inbox subjects: the only ones it may hear.
        inbox_prefix=f"_INBOX.{args.name}",
        tls=tls,
    )
    js = nc.jetstream()
    subs = []
    for context in args.context or CONTEXTS:
        stream, durable = f"{args.prefix}_{context.upper()}", f"{args.name}__{context}"
        config = ConsumerConfig(
            durable_name=durable, deliver_policy=DeliverPolicy.ALL, ack_policy=AckPolicy.EXPLICIT
        )
        await js.add_consumer(stream, config)
        subs.append(await js.pull_subscribe_bind(durable, stream=stream))
    printed, idle = 0, 0.0
    try:
        while args.count is None or printed < args.count:
            got = 0
            for sub in subs:
                try:
                    msgs = await sub.fetch(100, timeout=0.5)
                except (TimeoutError, NatsTimeoutError):
                    continue
                for msg in msgs:
                    print(json.dumps({"subject": msg.subject, "event": json.loads(msg.data)}))
                    await msg.ack()
                    got += 1
            sys.stdout.flush()
            printed += got
            idle = 0.0 if got else idle + 0.5 * len(subs)
            if args.idle is not None and idle >= args.idle:
                break
    finally:
        await nc.drain()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(read(parse(sys.argv[1:]))))
