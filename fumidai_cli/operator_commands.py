"""What every operator command (``./fumidai admin``, ``facility``, ``facility targets``)
shares: where identity's database is, who the operator is, and how a refusal is shown."""

import argparse
import os
import sys

from fumidai_cli.state import read_runtime
from libs.runtime.refusals import DomainError


def add_operator_arguments(action: argparse.ArgumentParser) -> None:
    """``--database-url`` (identity's) and ``--operator`` (who acts, for the events)."""
    action.add_argument(
        "--database-url",
        default=os.environ.get("FUMIDAI_IDENTITY_DATABASE_URL"),
        help="identity's database (default: the suite started by ./fumidai up)",
    )
    action.add_argument("--operator", default=os.environ.get("USER", "operator"))


def identity_database_url(args: argparse.Namespace) -> str | None:
    """The database given, else the running suite's identity database; None (said on
    stderr) when there is neither."""
    url: str | None = args.database_url
    if url:
        return url
    runtime = read_runtime()
    if runtime is None:
        print("No suite is running: start ./fumidai up, or pass --database-url.", file=sys.stderr)
        return None
    return runtime.database_url("identity")


def refused(error: DomainError) -> int:
    """Say a refusal on stderr, code and message and each field's problem; exit code 1."""
    print(f"{error.code}: {error.message}", file=sys.stderr)
    for problem in error.errors:
        print(f"  {problem.field}: {problem.message}", file=sys.stderr)
    return 1
