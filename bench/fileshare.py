"""Benchmark of file sharing: one 99 MB share through the real fileshare service.

Run on demand, not as a test::

    .venv/bin/python -m bench.fileshare [--rounds N]

It starts a private PostgreSQL, NATS JetStream and clamd (or uses
``FUMIDAI_BENCH_DATABASE_URL`` and ``FUMIDAI_BENCH_NATS_URL`` for the first two, like
``bench.events``), runs ``python -m services.fileshare`` as a subprocess, and measures:

- ``upload_scan_ratio``: uploading and scanning one 99 MB share (HTTP in, object store,
  clamd INSTREAM, events) over clamd alone scanning the same bytes sent straight to it;
- ``download_mb_per_s``: downloading the 99 MB through the service;
- ``peak_rss_mb``: the service process's largest resident set during those transfers
  (sampled every 10 ms with psutil): streamed files must not be held whole.

A table as it goes, and one JSON object as the last line of stdout.
"""

import argparse
import asyncio
import contextlib
import hashlib
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import AsyncIterator, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import msgspec
import nats
import psutil

from bench.events import Servers, dsn_for, machine_reference_ms, servers
from libs.devservers.clamd import EmbeddedClamd
from libs.devservers.ports import free_port
from libs.devservers.smtp import MailCatcher
from libs.events.catalogue.identity import FacilityRegistered
from libs.events.catalogue.users import UserCreated, UserProfile
from libs.events.codec import encode
from libs.events.envelope import Actor, envelop
from libs.events.ids import new_id
from libs.events.subjects import subject_of
from libs.runtime.internal_auth import issue
from libs.runtime.token_keys import GATEWAY, SigningKey
from services.fileshare.adapters.clamd import Clamd, ClamdAddress
from services.fileshare.contract import MAX_TOTAL_BYTES

TARGETS = {"upload_scan_ratio": 2.0, "download_mb_per_s": 100.0, "peak_rss_mb": 150.0}
SIZE = MAX_TOTAL_BYTES
MB = 1024 * 1024
BLOCK = 1024 * 1024
ACTOR = Actor(id="bench", role="system")


def say(text: str = "") -> None:
    print(text, flush=True)


def block() -> bytes:
    """One MiB of new varied bytes; a 99 MB file repeats it (clamd reads every byte)."""
    out = bytearray()
    seed = secrets.token_bytes(32)
    while len(out) < BLOCK:
        seed = hashlib.sha256(seed).digest()
        out += seed
    return bytes(out[:BLOCK])


async def chunks(data: bytes, size: int) -> AsyncIterator[bytes]:
    sent = 0
    while sent < size:
        piece = data[: min(len(data), size - sent)]
        sent += len(piece)
        yield piece


class RssSampler:
    """The largest RSS of one process while sampling runs (a thread, every 10 ms)."""

    def __init__(self, pid: int) -> None:
        self._proc = psutil.Process(pid)
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.01):
            with contextlib.suppress(psutil.Error):
                self.peak = max(self.peak, self._proc.memory_info().rss)

    def __enter__(self) -> "RssSampler":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


@contextlib.contextmanager
def service(env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    root = Path(__file__).resolve().parent.parent
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "services.fileshare"],
            cwd=root,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


async def wait_ready(url: str, proc: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient() as client:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"fileshare exited with {proc.returncode}")
            with contextlib.suppress(httpx.HTTPError):
                if (await client.get(f"{url}/health/ready", timeout=1.0)).status_code == 200:
                    return
            if time.monotonic() > deadline:
                raise RuntimeError("fileshare not ready")
            await asyncio.sleep(0.2)


async def seed(nats_url: str, root: str, database_url: str) -> str:
    """Facility 998 and one 常に許可 user, published as identity would; its account."""
    nc = await nats.connect(nats_url)
    account = "998-bench@bench.example"
    profile = UserProfile(
        family_name="bench",
        email="bench@bench.example",
        valid_from=date.today(),
        valid_until=date.today() + timedelta(days=30),
        file_share="always",
    )
    for data in (
        FacilityRegistered(code="998", name="998-Bench", domain="bench.example"),
        UserCreated(account=account, profile=profile),
    ):
        env = envelop(data, facility="998", aggregate_id=new_id(), version=1, actor=ACTOR)
        await nc.jetstream().publish(
            subject_of(root, env), encode(env), headers={"Nats-Msg-Id": env.event_id}
        )
    await nc.close()
    conn = await asyncpg.connect(database_url)
    try:
        for _ in range(300):
            if await conn.fetchval("SELECT count(*) FROM share_users") == 1:
                return account
            await asyncio.sleep(0.1)
    finally:
        await conn.close()
    raise RuntimeError("the user never reached fileshare's projection")


async def clamd_alone(address: ClamdAddress, data: bytes, size: int = SIZE) -> float:
    """Seconds for clamd to take and scan ``size`` bytes sent straight to it."""
    started = time.perf_counter()
    session = await Clamd(address).session()
    async for piece in chunks(data, size):
        await session.feed(piece)
    verdict = await session.finish()
    assert verdict.result == "clean", verdict
    return time.perf_counter() - started


def upload_body(data: bytes) -> tuple[dict[str, str], AsyncIterator[bytes]]:
    boundary = "bench" + secrets.token_hex(8)
    manifest = {"purpose": "bench", "files": [{"name": "big.bin", "size": SIZE}]}

    async def body() -> AsyncIterator[bytes]:
        yield (
            f'--{boundary}\r\nContent-Disposition: form-data; name="manifest"\r\n\r\n'.encode()
            + msgspec.json.encode(manifest)
            + f'\r\n--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="big.bin"\r\n\r\n'.encode()
        )
        async for piece in chunks(data, SIZE):
            yield piece
        yield f"\r\n--{boundary}--\r\n".encode()

    return {"Content-Type": f"multipart/form-data; boundary={boundary}"}, body()


async def measure(args: argparse.Namespace, srv: Servers, tmp: Path) -> dict[str, Any]:
    tag = secrets.token_hex(4)
    database = f"bench_{tag}_fileshare"
    admin = await asyncpg.connect(srv.postgres_url)
    await admin.execute(f'CREATE DATABASE "{database}"')
    await admin.close()
    database_url = dsn_for(srv.postgres_url, database)
    gateway_key = SigningKey.generate(GATEWAY)
    clamd = EmbeddedClamd(tmp / "clamd")
    clamd.start()
    mail = MailCatcher()
    mail.start()
    port = free_port()
    root = f"b{tag}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("FUMIDAI_")}
    env.update(
        {
            "FUMIDAI_FILESHARE_DATABASE_URL": database_url,
            "FUMIDAI_NATS_URL": srv.nats_url,
            "FUMIDAI_FILESHARE_TOKEN_TRUSTED_KEYS": gateway_key.trusted().text(),
            "FUMIDAI_FILESHARE_PORT": str(port),
            "FUMIDAI_FILESHARE_LOG_LEVEL": "warning",
            "FUMIDAI_FILESHARE_CLAMD_HOST": clamd.host,
            "FUMIDAI_FILESHARE_CLAMD_PORT": str(clamd.port),
            "FUMIDAI_FILESHARE_SMTP_HOST": mail.host,
            "FUMIDAI_FILESHARE_SMTP_PORT": str(mail.port),
            "FUMIDAI_FILESHARE_BUCKET": f"B{tag.upper()}_FILES",
            "FUMIDAI_EVENTS_SUBJECT_ROOT": root,
            "FUMIDAI_EVENTS_STREAM_PREFIX": f"B{tag.upper()}",
            "FUMIDAI_EVENTS_PROVISION_ALL_STREAMS": "true",  # a service alone
        }
    )
    url = f"http://127.0.0.1:{port}"
    address = ClamdAddress(host=clamd.host, port=clamd.port)
    try:
        with service(env, tmp / "fileshare.log") as proc:
            await wait_ready(url, proc)
            account = await seed(srv.nats_url, root, database_url)
            token = issue(
                gateway_key,
                audience="fileshare",
                sub=account,
                role="user",
                facility="998",
                second_password_at=time.time(),
            )
            headers = {"Authorization": f"Bearer {token}"}
            baseline = psutil.Process(proc.pid).memory_info().rss
            say(f"== 99 MB share ({SIZE:,} bytes), {args.rounds} rounds")
            say(
                f"  fileshare RSS at rest {baseline / MB:.0f} MB; clamd signatures: "
                + ("TEST ONLY (EICAR)" if clamd.test_signatures_only else "official")
            )
            clamd_times, upload_times, download_rates, peaks = [], [], [], []
            async with httpx.AsyncClient(base_url=url, timeout=600.0) as client:
                await clamd_alone(address, block(), 10 * MB)  # warm clamd up, not counted
                for round_ in range(1, args.rounds + 1):
                    # Fresh bytes for each scan: clamd caches the verdicts of files it has
                    # seen, and a cached verdict is no scan.
                    clamd_s = await clamd_alone(address, block())
                    body_headers, body = upload_body(block())
                    with RssSampler(proc.pid) as up_rss:
                        started = time.perf_counter()
                        response = await client.post(
                            "/internal/v1/users/me/shares",
                            headers={**headers, **body_headers},
                            content=body,
                        )
                        upload_s = time.perf_counter() - started
                    assert response.status_code == 201, response.text
                    share = response.json()
                    assert share["state"] == "available", share["state"]
                    file_id = share["files"][0]["file_id"]
                    path = f"/internal/v1/users/me/shares/{share['share_id']}/files/{file_id}"
                    received = 0
                    with RssSampler(proc.pid) as down_rss:
                        started = time.perf_counter()
                        async with client.stream("GET", path, headers=headers) as download:
                            assert download.status_code == 200
                            async for piece in download.aiter_raw():
                                received += len(piece)
                        download_s = time.perf_counter() - started
                    assert received == SIZE
                    rate = SIZE / MB / download_s
                    peak = max(up_rss.peak, down_rss.peak) / MB
                    clamd_times.append(clamd_s)
                    upload_times.append(upload_s)
                    download_rates.append(rate)
                    peaks.append(peak)
                    say(
                        f"  round {round_}: clamd alone {clamd_s:5.2f} s  upload+scan "
                        f"{upload_s:5.2f} s (x{upload_s / clamd_s:4.2f})  download "
                        f"{download_s:5.2f} s ({rate:6.1f} MB/s)  peak RSS {peak:5.1f} MB"
                    )
    finally:
        mail.stop()
        clamd.stop()
    ratio = statistics.median(u / c for u, c in zip(upload_times, clamd_times, strict=True))
    result = {
        "upload_scan_ratio": round(ratio, 2),
        "download_mb_per_s": round(statistics.median(download_rates), 1),
        "peak_rss_mb": round(max(peaks), 1),
        "clamd_alone_s": round(statistics.median(clamd_times), 2),
        "upload_scan_s": round(statistics.median(upload_times), 2),
        "rss_at_rest_mb": round(baseline / MB, 1),
        "size_bytes": SIZE,
        "rounds": args.rounds,
        "test_signatures_only": clamd.test_signatures_only,
    }
    result["ok"] = (
        result["upload_scan_ratio"] <= TARGETS["upload_scan_ratio"]
        and result["download_mb_per_s"] >= TARGETS["download_mb_per_s"]
        and result["peak_rss_mb"] <= TARGETS["peak_rss_mb"]
    )
    result["targets"] = TARGETS
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="upload/download rounds (median)")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="fumidai-bench-fs-"))
    tmp.chmod(0o755)  # clamd runs as the clamav user when we are root
    try:
        with servers() as srv:
            result = asyncio.run(measure(args, srv, tmp))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    say("")
    for key, target in TARGETS.items():
        better = "≤" if key != "download_mb_per_s" else "≥"
        say(f"  {key:<20} {result[key]:>8}   target {better} {target}")
    result["machine_reference_ms"] = round(machine_reference_ms(), 1)
    print(json.dumps(result), flush=True)
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
