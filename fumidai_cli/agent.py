"""``./fumidai agent``: the reference jump-host agent (fumidai_cli/reference_agent/).

Runs one terminal's agent against the agent API: it checks its credential, follows its
control channel (acknowledging every force close) and sends heartbeats. Interactive, it
takes ``connect ACCOUNT MAC``, ``end SESSION`` and ``list`` on stdin; with ``--simulate N``
it plays N users connecting and disconnecting instead. ``--issue`` first gets a credential
for the terminal from the suite ``./fumidai up`` runs (as an operator) and saves it.
"""

import argparse
import asyncio
import contextlib
import csv
import json
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from fumidai_cli.reference_agent.client import AgentApiError, AgentClient
from fumidai_cli.reference_agent.runner import JumpHostAgent
from fumidai_cli.reference_agent.simulate import SimulatedUser, simulate
from fumidai_cli.state import read_runtime, signing_key
from libs.runtime.internal_auth import issue
from libs.runtime.token_keys import OPERATOR


def register(commands: Any) -> None:
    parser = commands.add_parser("agent", help="run a jump host's agent (reference client)")
    parser.add_argument("--terminal", required=True, help="terminal name, e.g. 998-group01")
    parser.add_argument(
        "--credentials",
        required=True,
        type=Path,
        help='JSON file: {"terminal": NAME, "token": TOKEN, "url": URL} or a list of them',
    )
    parser.add_argument("--url", help="agent API base URL (default: the file's, or up's)")
    parser.add_argument(
        "--issue",
        action="store_true",
        help="issue a new credential for the terminal (operator, suite of ./fumidai up) "
        "and save it in the credentials file first",
    )
    parser.add_argument("--simulate", type=int, metavar="N", help="play N users")
    parser.add_argument(
        "--users",
        type=Path,
        help="for --simulate: CSV of account,mac (or identity's user export)",
    )
    parser.add_argument("--duration", type=float, help="for --simulate: stop after S seconds")
    parser.set_defaults(run=run)


def say(text: str) -> None:
    print(text, flush=True)


def run(args: argparse.Namespace, _: list[str]) -> int:
    try:
        if args.issue:
            save_credential(
                args.credentials, asyncio.run(issue_credential(args.terminal, args.url))
            )
        entry = credential_for(args.terminal, args.credentials)
    except (OSError, ValueError, KeyError, httpx.HTTPError) as error:
        print(f"fumidai agent: {error}", file=sys.stderr)
        return 2
    url = args.url or entry.get("url") or suite_url()
    if not url:
        print("fumidai agent: no URL: pass --url, or start ./fumidai up", file=sys.stderr)
        return 2
    if args.simulate is not None and args.users is None:
        print("fumidai agent: --simulate needs --users FILE (account,mac)", file=sys.stderr)
        return 2
    with contextlib.suppress(KeyboardInterrupt):
        return asyncio.run(run_agent(args, url, entry["token"]))
    return 0


def suite_url() -> str | None:
    runtime = read_runtime()
    return runtime.service_urls.get("terminals") if runtime else None


def read_entries(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    loaded = json.loads(path.read_text("utf-8"))
    return loaded if isinstance(loaded, list) else [loaded]


def credential_for(terminal: str, path: Path) -> dict[str, str]:
    """The credentials file's entry for ``terminal`` (names compare ignoring case)."""
    for entry in read_entries(path):
        if str(entry.get("terminal", "")).casefold() == terminal.casefold() and entry.get("token"):
            return entry
    raise KeyError(f"{path} has no credential for terminal {terminal!r}")


async def issue_credential(terminal: str, url: str | None) -> dict[str, str]:
    """As an operator of the local suite, issue a credential for ``terminal``."""
    runtime = read_runtime()
    base = url or (runtime.service_urls.get("terminals") if runtime else None)
    if runtime is None or base is None:
        raise ValueError("--issue needs the suite of ./fumidai up running")
    code = terminal.split("-", 1)[0]
    token = issue(
        signing_key(OPERATOR),
        audience="terminals",
        sub="fumidai-agent-cli",
        role="operator",
        facility="*",
    )
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=10) as http:
        listed = await http.get(f"/internal/v1/facilities/{code}/terminals")
        listed.raise_for_status()
        found = [t for t in listed.json() if t["name"].casefold() == terminal.casefold()]
        if not found:
            raise ValueError(f"facility {code} has no terminal {terminal!r}")
        issued = await http.post(
            f"/internal/v1/facilities/{code}/terminals/{found[0]['terminal_id']}/credentials"
        )
        issued.raise_for_status()
    body = issued.json()
    say(f"credential {body['credential_id']} issued for {body['terminal']}")
    return {"terminal": body["terminal"], "token": body["token"], "url": base}


def save_credential(path: Path, entry: dict[str, str]) -> None:
    """Put ``entry`` in the credentials file (mode 0600), replacing the terminal's old one."""
    name = entry["terminal"].casefold()
    entries = [e for e in read_entries(path) if e.get("terminal", "").casefold() != name]
    entries.append(entry)
    path.write_text(json.dumps(entries, ensure_ascii=False, indent=2), "utf-8")
    path.chmod(0o600)


def load_users(path: Path) -> list[SimulatedUser]:
    """``account,mac`` lines, or identity's user CSV (アカウント and MACアドレス columns)."""
    rows = list(csv.reader(path.read_text("utf-8-sig").splitlines()))
    if rows and "アカウント" in rows[0] and "MACアドレス" in rows[0]:
        account, macs = rows[0].index("アカウント"), rows[0].index("MACアドレス")
        return [
            SimulatedUser(row[account], row[macs].split(",")[0].strip())
            for row in rows[1:]
            if len(row) > max(account, macs) and row[macs].strip()
        ]
    return [SimulatedUser(row[0].strip(), row[1].strip()) for row in rows if len(row) >= 2]


async def run_agent(args: argparse.Namespace, url: str, token: str) -> int:
    client = AgentClient(url, token)

    async def cut(session_id: str, why: str) -> None:
        say(f"cut {session_id}: {why}")

    agent = JumpHostAgent(client, cut=cut)
    try:
        info = await agent.start()
    except AgentApiError as error:
        print(f"fumidai agent: {error.code}: {error.message}", file=sys.stderr)
        await client.aclose()
        return 1
    say(f"agent of {info.name} ({info.facility}) connected to {url}")
    try:
        if args.simulate is not None:
            started = time.monotonic()
            report = await simulate(
                agent, load_users(args.users), args.simulate, duration=args.duration
            )
            say(
                f"{sum(report.decisions.values())} decisions in {time.monotonic() - started:.0f}s: "
                + ", ".join(f"{k} {v}" for k, v in sorted(report.decisions.items()))
                + f"; sessions started {report.started}, ended {report.ended}, "
                f"cut by the server {report.cut_by_server}, errors {report.errors}"
            )
        else:
            await interact(agent)
    finally:
        await agent.stop()
        await client.aclose()
    return 0 if agent.state.stopped_because is None else 1


async def interact(agent: JumpHostAgent) -> None:
    say("commands: connect ACCOUNT MAC | end SESSION | list | quit")
    loop = asyncio.get_running_loop()
    while agent.running:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            return
        words = line.split()
        try:
            if words[:1] == ["connect"] and len(words) == 3:
                decision, session = await agent.connect(words[1], words[2])
                if session is None:
                    say(f"refused: {decision.reason} {decision.message}")
                else:
                    say(f"connected: session {session.session_id}")
            elif words[:1] == ["end"] and len(words) == 2:
                say(f"ended: {await agent.disconnect(words[1])}")
            elif words[:1] == ["list"]:
                for session in agent.state.live.values():
                    say(f"{session.session_id} {session.account} {session.mac}")
            elif words[:1] in (["quit"], ["exit"]):
                return
            elif words:
                say("commands: connect ACCOUNT MAC | end SESSION | list | quit")
        except (AgentApiError, httpx.HTTPError) as error:
            say(f"error: {error}")
