"""The outside reader of docs/events/README.md: docs/events/read_events.py, signed in with a
read-only identity, follows a running suite's events (issue 16 item 1, decision 0026)."""

import asyncio
import json
import sys
from pathlib import Path

import pytest

from libs.devservers import bus_identities
from libs.devservers.natsauth import write_seeds
from libs.testing.servers import SessionServers
from tests.gateway_support import identity_published, register, running_suite

SCRIPT = Path(__file__).resolve().parents[1] / "docs" / "events" / "read_events.py"


async def read_events(url: str, seed: Path, env: dict[str, str]) -> list[dict[str, object]]:
    """Run the script until it has been idle for 3 s; the JSON lines it printed."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(SCRIPT),
        *("--url", url, "--seed", str(seed), "--name", "siem"),
        *("--root", env["FUMIDAI_EVENTS_SUBJECT_ROOT"]),
        *("--prefix", env["FUMIDAI_EVENTS_STREAM_PREFIX"]),
        *("--context", "identity", "--idle", "3"),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, err.decode()
    return [json.loads(line) for line in out.decode().splitlines()]


async def test_an_outside_reader_follows_the_events_with_its_own_read_only_identity(
    servers: SessionServers, tmp_path: Path
) -> None:
    if servers.nats is None or not servers.nats.authorizing:
        pytest.skip("needs the embedded NATS server, which runs with authorization")
    async for suite in running_suite(servers, tmp_path / "logs"):
        env = dict(suite.extra_env)
        reader = bus_identities.reader_user("siem", env)
        servers.nats.authorize([reader])
        seed = write_seeds(tmp_path / "reader", [reader])["siem"]
        await register(suite, "997")
        await identity_published(servers, env, ("FacilityRegistered",))

        printed = await read_events(servers.nats_url, seed, env)
        types = [line["event"]["data"]["type"] for line in printed]  # type: ignore[index]
        assert "FacilityRegistered.v1" in types, printed
        registered = printed[types.index("FacilityRegistered.v1")]
        assert registered["event"]["data"]["code"] == "997"  # type: ignore[index]
        # Its durable consumer acknowledged them: a second run starts after them.
        assert await read_events(servers.nats_url, seed, env) == []
