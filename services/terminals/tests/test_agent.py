"""The reference agent and ``./fumidai agent``: simulated users through the real protocol;
and the protocol's OpenAPI document."""

import asyncio
import json
from pathlib import Path

import pytest

from fumidai_cli.__main__ import main
from fumidai_cli.reference_agent.runner import JumpHostAgent
from fumidai_cli.reference_agent.simulate import SimulatedUser, simulate
from services.terminals.tests.harness import IdentityFeed, Service, account, recorded

MAC = "00:11:22:33:44:55"


async def test_c3_simulated_users_connect_and_disconnect(
    service: Service, identity: IdentityFeed
) -> None:
    terminal = await service.create_terminal("group01")
    for name in ("user01", "user02"):
        await identity.user(name, terminals=(terminal,))
    agent = JumpHostAgent(service.agent(await service.credential(terminal)), poll_wait=2)
    await agent.start()
    users = [
        SimulatedUser(account("user01"), MAC),
        SimulatedUser(account("user02"), "00-11-22-33-44-55"),
        SimulatedUser(account("stranger"), MAC),
    ]
    report = await simulate(
        agent, users, 3, duration=1.0, stay=(0.05, 0.2), pause=(0.02, 0.05), seed=7
    )
    await agent.stop()
    await agent.client.aclose()
    assert report.decisions["allowed"] >= 2 and report.decisions["unknown_user"] >= 1
    assert set(report.decisions) == {"allowed", "unknown_user"}
    assert report.started == report.decisions["allowed"] == report.ended
    assert report.errors == 0
    assert (await service.admin("GET", "/sessions")).json() == []  # every session ended
    assert len(await recorded(service, "SessionStarted.v1")) == report.started
    assert len(await recorded(service, "SessionEnded.v1")) == report.ended


async def test_fumidai_agent_simulates_from_a_credentials_file(
    service: Service, identity: IdentityFeed, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    terminal = await service.create_terminal("踏み台端末02(Local)")
    await identity.user("user01", terminals=(terminal,))
    token = await service.credential(terminal)
    credentials = tmp_path / "agents.json"
    credentials.write_text(
        json.dumps(
            [
                {"terminal": "998-other", "token": "fta1.nope"},
                {"terminal": "998-踏み台端末02(local)", "token": token, "url": service.url},
            ]
        )
    )
    users = tmp_path / "users.csv"  # identity's user export, with its BOM
    users.write_text(
        "\ufeffアカウント,姓,名,メールアドレス,有効開始日,有効終了日,MACアドレス\n"
        f'{account("user01")},operation,user01,u@example.jp,2024/12/01,2026/03/31,"{MAC},'
        '66:77:88:99:AA:BB"\n',
        "utf-8",
    )
    code = await asyncio.to_thread(
        main,
        [
            "agent",
            "--terminal",
            "998-踏み台端末02(Local)",
            "--credentials",
            str(credentials),
            "--simulate",
            "2",
            "--users",
            str(users),
            "--duration",
            "0.5",
        ],
    )
    out = capsys.readouterr().out
    assert code == 0, out
    assert "agent of 998-踏み台端末02(Local) (998)" in out
    assert "allowed" in out and "errors 0" in out
    assert len(await recorded(service, "ConnectionDecided.v1")) >= 2
    missing = await asyncio.to_thread(
        main, ["agent", "--terminal", "998-none", "--credentials", str(credentials)]
    )
    assert missing == 2


async def test_the_agent_protocol_is_in_the_openapi_document(service: Service) -> None:
    document = (await service.http.get("/schema/openapi.json")).json()
    agent_paths = {p: ops for p, ops in document["paths"].items() if p.startswith("/agent/v1/")}
    operations = {op["operationId"] for ops in agent_paths.values() for op in ops.values()}
    assert operations == {
        "agentTerminal",
        "agentAuthorize",
        "agentStartSession",
        "agentEndSession",
        "agentHeartbeat",
        "agentPollOrders",
        "agentAcknowledgeOrder",
    }
    for ops in agent_paths.values():
        for op in ops.values():
            assert op["security"] == [{"agentToken": []}]
    assert document["components"]["securitySchemes"]["agentToken"]["scheme"] == "bearer"
    decision = document["components"]["schemas"]["DecisionOut"]
    assert set(decision["properties"]) == {"decision_id", "allowed", "reason", "message"}
