"""The reference agent (fumidai_cli.reference_agent) as the browser tests' jump host: the one
side of a connection a script may play, since a real jump host is a program too."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fumidai_cli.reference_agent.client import AgentClient
from fumidai_cli.reference_agent.runner import JumpHostAgent
from tests.gateway_support import eventually

MAC = "00-11-22-33-44-55"
"""The client MAC the tests' users have registered (tests/ui/data.user_body)."""
POLL_WAIT_S = 1.0
"""The agent's long poll of its orders: short, so a test sees the acknowledgement soon."""


@asynccontextmanager
async def running_agent(url: str, token: str) -> AsyncIterator[JumpHostAgent]:
    """The terminal's agent, started with ``token`` (its credential checked) and following
    its control channel until the block ends."""
    client = AgentClient(url, token)
    agent = JumpHostAgent(client, poll_wait=POLL_WAIT_S)
    try:
        await agent.start()
        yield agent
    finally:
        await agent.stop()
        await client.aclose()


async def connect(agent: JumpHostAgent, account: str, mac: str = MAC) -> str:
    """A session of ``account``, once terminals has projected the user (C1)."""

    async def allowed() -> object:
        decision, live = await agent.connect(account, mac)
        return live.session_id if live and decision.allowed else None

    session_id = await eventually(allowed, timeout=15)
    assert session_id, f"the agent was refused for {account}"
    return str(session_id)
