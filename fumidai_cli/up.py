"""``./fumidai up``: the whole suite with demo data, on embedded servers, until Ctrl-C.

A set-up failure ends ``up`` with one line saying what is wrong and what to do (see
``failure_line``); the full traceback of an unexpected one goes to ``.fumidai/logs``.
Once up, a service or embedded server that crashes is restarted with backoff and said so
(``fumidai_cli.supervisor``); Ctrl-C or SIGTERM stops everything.

``--cluster`` runs the scaled-out shape instead (decision 0039): three NATS nodes, two
replicas of every service, its own data in ``.fumidai/cluster``.
"""

import argparse
import asyncio
import os
import signal
import sys
import threading
import traceback
from pathlib import Path
from typing import Any

from fumidai_cli import system, ui
from fumidai_cli.demo import DemoAdmin, ensure_demo
from fumidai_cli.demo_seed import DemoSeedError
from fumidai_cli.state import (
    Runtime,
    clear_runtime,
    secret,
    signing_key,
    state_dir,
    write_runtime,
)
from fumidai_cli.supervisor import Supervisor, Watched, watch_suite
from libs.devservers import bus_identities
from libs.devservers.fileshare import FileshareServers
from libs.devservers.local_cluster import LocalCluster
from libs.devservers.nats import EmbeddedNats, NatsError
from libs.devservers.ports import is_port_free
from libs.devservers.postgres import EmbeddedPostgres, PostgresError
from libs.devservers.suite import SERVICES, Suite, SuiteError
from libs.runtime.token_keys import GATEWAY, OPERATOR

NATS_KEYS = "nats-keys"
"""Where in .fumidai the services' NKey seeds are (0600, rewritten at each start)."""

TEXT_LOGS = {"FUMIDAI_LOG_FORMAT": "text"}
"""The services' logs under ``up`` are read by people (the suite's default is JSON)."""

SUPERVISION_TICK_S = 0.5
"""How often ``up`` looks for a crashed service or server."""


def register(commands: Any) -> None:
    parser = commands.add_parser("up", help="run the whole suite with demo data until Ctrl-C")
    parser.add_argument("--port", type=int, default=8000, help="gateway port (default 8000)")
    parser.add_argument(
        "--empty",
        action="store_true",
        help="on first start, create facility 998 and its admin only (no demo data)",
    )
    parser.add_argument(
        "--cluster",
        action="store_true",
        help="three NATS nodes (R3 streams) and two replicas of every service, on loopback"
        " (data in .fumidai/cluster)",
    )
    parser.set_defaults(run=run)


def say(text: str) -> None:
    print(f"fumidai: {text}", file=sys.stderr, flush=True)


def run(args: argparse.Namespace, _: list[str]) -> int:
    if not ui.ensure_ui():
        say("going on without the console: / answers 503 until the UI builds; the API works")
    state = state_dir()
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    if args.cluster:
        return run_cluster(args, state, stop)
    return run_single(args, state, stop)


def run_single(args: argparse.Namespace, state: Path, stop: threading.Event) -> int:
    """``up``: one of everything on loopback, PostgreSQL and NATS embedded unless
    FUMIDAI_POSTGRES_URL and FUMIDAI_NATS_URL name running ones."""
    postgres: EmbeddedPostgres | None = None
    nats_server: EmbeddedNats | None = None
    suite: Suite | None = None
    fileshare_servers: FileshareServers | None = None
    try:
        postgres_url = os.environ.get("FUMIDAI_POSTGRES_URL")
        if not postgres_url:
            postgres = start_postgres(state)
            postgres_url = postgres.dsn("postgres")
        nats_url = os.environ.get("FUMIDAI_NATS_URL")
        nats_env: dict[str, str] = {}
        if not nats_url:
            nats_server, nats_env = start_nats(state)
            nats_url = nats_server.url
        system.ensure()
        fileshare_servers = FileshareServers(state, say)
        fileshare_env = fileshare_servers.start()
        suite = start_suite(args.port, postgres_url, nats_url, state, fileshare_env | nats_env)
        seeds = str(state / NATS_KEYS) if nats_env else ""
        serve(suite, nats_url, seeds, state, empty=args.empty)
        nodes = [nats_server] if nats_server is not None else []
        supervise(watch_suite(suite, postgres, nodes, fileshare_servers, ".fumidai/logs"), stop)
        return 0
    except Exception as error:  # the CLI's boundary: one line, never a traceback
        say(failure_line(error, state / "logs"))
        return 1
    finally:
        if suite is not None:
            suite.stop()
        clear_runtime()
        for server in (fileshare_servers, nats_server, postgres):
            if server is not None:
                server.stop()
        say("stopped")


def start_postgres(state: Path) -> EmbeddedPostgres:
    say("starting embedded PostgreSQL (data in .fumidai/postgres) ...")
    postgres = EmbeddedPostgres(state / "postgres")
    postgres.start()
    return postgres


def start_nats(state: Path) -> tuple[EmbeddedNats, dict[str, str]]:
    """The embedded NATS server, and the environment that gives each service its identity."""
    say("starting embedded NATS JetStream (data in .fumidai/nats) ...")
    # Fresh identities each run, one per service with its own rights (decision 0026).
    # And one for an outside reader to try docs/events/read_events.py with.
    nats_users, nats_env = bus_identities.issue(state / NATS_KEYS, {}, ["siem"])
    # Services create missing streams but change none: the provisioner brings them
    # to this code's settings.
    provisioner = bus_identities.provisioner_user({})
    nats_server = EmbeddedNats(state / "nats", users=[*nats_users, provisioner])
    nats_server.start()
    asyncio.run(bus_identities.provision(nats_server.url, provisioner, {}))
    return nats_server, nats_env


def start_suite(
    wanted_port: int, postgres_url: str, nats_url: str, state: Path, env: dict[str, str]
) -> Suite:
    """The services, one of each, ready; the gateway on ``wanted_port`` if it is free."""
    port = wanted_port if is_port_free(wanted_port) else None
    if port is None:
        say(f"port {wanted_port} is taken; the gateway gets a free port instead")
    suite = Suite(
        postgres_url=postgres_url,
        nats_url=nats_url,
        log_dir=state / "logs",
        token_keys={issuer: signing_key(issuer) for issuer in (GATEWAY, OPERATOR)},
        totp_key=secret("identity-totp-key"),
        gateway_port=port,
        extra_env=env | TEXT_LOGS,
    )
    asyncio.run(suite.prepare())
    say("starting " + ", ".join(SERVICES) + " (logs in .fumidai/logs) ...")
    suite.start()
    suite.wait_ready(120)
    return suite


def serve(suite: Suite, nats_url: str, nats_seed_dir: str, folder: Path, *, empty: bool) -> None:
    """What follows a start, single or cluster: the runtime file other commands read, the
    demo data (or just an admin), and the line that says where to go."""
    write_runtime(
        Runtime(
            postgres_url=suite.postgres_url,
            nats_url=nats_url,
            nats_seed_dir=nats_seed_dir,
            database_prefix=suite.database_prefix,
            service_urls={s: suite.url(s) for s in SERVICES},
        )
    )
    admin = asyncio.run(ensure_demo(suite, folder, say, empty=empty))
    print(ready_line(suite.url("gateway"), admin), flush=True)


def supervise(watched: list[Watched], stop: threading.Event) -> None:
    """Restart what crashes until ``stop`` (docs/decisions/0033)."""
    supervisor = Supervisor(watched, say)
    while not stop.wait(SUPERVISION_TICK_S):
        supervisor.tick()
    say("stopping ...")


def run_cluster(args: argparse.Namespace, state: Path, stop: threading.Event) -> int:
    """``up --cluster``: the scaled-out shape on loopback, supervised like the single one."""
    port = args.port if is_port_free(args.port) else None
    cluster = LocalCluster(
        state / "cluster",
        say,
        gateway_port=port,
        token_keys={issuer: signing_key(issuer) for issuer in (GATEWAY, OPERATOR)},
        totp_key=secret("identity-totp-key"),
    )
    try:
        system.ensure()
        suite = cluster.start()
        assert cluster.nats is not None and cluster.fileshare is not None
        seeds = str(cluster.folder / "nats-keys")
        serve(suite, cluster.nats.url, seeds, cluster.folder, empty=args.empty)
        say("gateway replicas: " + "  ".join(suite.urls("gateway")))
        logs = ".fumidai/cluster/logs"
        supervise(
            watch_suite(suite, cluster.postgres, cluster.nats.nodes, cluster.fileshare, logs), stop
        )
        return 0
    except Exception as error:  # the CLI's boundary: one line, never a traceback
        say(failure_line(error, state / "logs"))
        return 1
    finally:
        cluster.stop()
        clear_runtime()
        say("stopped")


_ADVICE: dict[type[Exception], str] = {
    PostgresError: "PostgreSQL",
    NatsError: "NATS",
    SuiteError: "the services (their logs are in .fumidai/logs)",
    DemoSeedError: "the demo data (start again with a fresh .fumidai, or use --empty)",
}


def failure_line(error: Exception, logs: Path) -> str:
    """One line for a failed start: what failed and its own words, which say what to do.

    Errors of ours carry their advice; the first line is kept (log tails follow it). Anything
    else is unexpected: its traceback is written to ``up-error.log`` and the line says where.
    """
    first = (str(error).strip().splitlines() or [type(error).__name__])[0].rstrip(":")
    for kind, part in _ADVICE.items():
        if isinstance(error, kind):
            return f"could not start {part}: {first}"
    if isinstance(error, ConnectionError):
        return (
            f"could not reach a server ({first}): if FUMIDAI_POSTGRES_URL or FUMIDAI_NATS_URL "
            "is set, start that server or unset the variable to use embedded ones"
        )
    logs.mkdir(parents=True, exist_ok=True)
    report = logs / "up-error.log"
    report.write_text("".join(traceback.format_exception(error)))
    return f"could not start: {type(error).__name__}: {first} (traceback in {report})"


def ready_line(url: str, admin: DemoAdmin) -> str:
    """The one line that tells a person where to go and how to sign in."""
    note = "initial password, change it at first sign-in" if admin.fresh else admin.note
    second = f"  second password {admin.second_password}" if admin.second_password else ""
    return (
        f"fumidai is up: {url}  admin {admin.account}  password {admin.password}{second}  ({note})"
    )
