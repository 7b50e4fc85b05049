"""``fumidai_cli projections rebuild`` acts for its service with the service's own NATS
identity (decision 0026): its fixed rebuild consumers are among the rights in bus.py."""

import asyncio
import os
import sys
from pathlib import Path

import pytest

from libs.testing.servers import SessionServers
from tests.gateway_support import identity_published, register, running_suite

ROOT = Path(__file__).resolve().parents[1]


async def test_a_rebuild_runs_with_the_services_own_nats_identity(
    servers: SessionServers, tmp_path: Path
) -> None:
    if servers.nats is None or not servers.nats.authorizing:
        pytest.skip("needs the embedded NATS server, which runs with authorization")
    async for suite in running_suite(servers, tmp_path / "logs"):
        await register(suite, "996")
        await identity_published(servers, suite.extra_env, ("FacilityRegistered", "AdminCreated"))
        env = {k: v for k, v in os.environ.items() if not k.startswith("FUMIDAI_")}
        env |= dict(suite.extra_env)  # the suite's streams and each service's seed file
        env |= {
            "FUMIDAI_AUDIT_DATABASE_URL": suite.database_url("audit"),
            "FUMIDAI_NATS_URL": servers.nats_url,
            "FUMIDAI_STATE_DIR": str(tmp_path / "state"),  # no ./fumidai up here
        }
        assert "FUMIDAI_AUDIT_NATS_NKEY_SEED_FILE" in env
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            *("-m", "fumidai_cli", "projections", "rebuild", "audit"),
            *("--projection", "audit_directory"),
            cwd=ROOT,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        out, _ = await asyncio.wait_for(process.communicate(), 120)
        text = out.decode()
        assert process.returncode == 0, text
        assert "permissions violation" not in text.lower(), text
        # The facility and its first admin, read again through the rebuild's own consumer.
        assert "audit_directory: 2 events replayed" in text and "swapped in" in text, text
