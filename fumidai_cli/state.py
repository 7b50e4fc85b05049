"""The local state of ``./fumidai up`` in ``.fumidai/``: data, logs, where things run.

``runtime.json`` says where the running suite's servers and services are, so other
commands (``facility create``, ``projections rebuild``) reach the same ones.
"""

import json
import os
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path

from libs.runtime.token_keys import SigningKey

ROOT = Path(__file__).resolve().parent.parent
STATE = Path(os.environ.get("FUMIDAI_STATE_DIR", ROOT / ".fumidai"))


@dataclass(frozen=True)
class Runtime:
    postgres_url: str
    nats_url: str
    database_prefix: str
    service_urls: dict[str, str]
    nats_seed_dir: str = ""
    """Where each service's NKey seed is (``<service>.nk``); empty: NATS without authorization."""

    def nats_seed_file(self, service: str) -> str:
        """``service``'s seed file, or "" when NATS runs without authorization."""
        return str(Path(self.nats_seed_dir) / f"{service}.nk") if self.nats_seed_dir else ""

    def database_url(self, service: str) -> str:
        base, _, _ = self.postgres_url.rpartition("/")
        return f"{base}/{self.database_prefix}{service}"


def state_dir() -> Path:
    """``.fumidai/``, created searchable: as root, PostgreSQL runs as a system user in it."""
    STATE.mkdir(parents=True, exist_ok=True)
    STATE.chmod(0o755)
    return STATE


def write_runtime(runtime: Runtime) -> None:
    path = state_dir() / "runtime.json"
    path.write_text(json.dumps(asdict(runtime), indent=2))


def read_runtime() -> Runtime | None:
    """Where the suite started by ``up`` runs, or None when it is not running."""
    path = STATE / "runtime.json"
    if not path.exists():
        return None
    return Runtime(**json.loads(path.read_text()))


def clear_runtime() -> None:
    (STATE / "runtime.json").unlink(missing_ok=True)


def secret(name: str) -> str:
    """A random secret kept in ``.fumidai/<name>`` (mode 0600) across runs."""
    path = state_dir() / name
    if not path.exists():
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    return path.read_text().strip()


def signing_key(issuer: str) -> SigningKey:
    """``issuer``'s internal-token key, kept in ``.fumidai/token-keys/<issuer>`` (0600)."""
    folder = state_dir() / "token-keys"
    folder.mkdir(mode=0o700, exist_ok=True)
    path = folder / issuer
    if not path.exists():
        path.touch(mode=0o600)
        path.write_text(SigningKey.generate(issuer).text())
    return SigningKey.parse(path.read_text().strip())
