"""deploy/postgres/init/ run as the postgres image runs it on a first start, against a real
PostgreSQL: each service's role runs its own migrations and cannot open another service's
database (issue 16: a compromised service, e.g. fileshare parsing uploads, must not read
identity's accounts or write its outbox). Authentication is the server's (the embedded one
trusts loopback); what is tested here is who may connect where, and ownership."""

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from libs.devservers.postgres import SUPERUSER, EmbeddedPostgres, install_dir
from libs.devservers.suite import SERVICES
from libs.postgres.migrations import apply
from libs.runtime.backbone import service_migrations

INIT = Path(__file__).resolve().parents[1] / "deploy" / "postgres" / "init"
SERVICES_DIR = Path(__file__).resolve().parents[1] / "services"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedPostgres]:
    postgres = EmbeddedPostgres(tmp_path_factory.mktemp("roles") / "pg")
    postgres.start()
    yield postgres
    postgres.stop()


def init_env(server: EmbeddedPostgres, passwords: dict[str, str]) -> dict[str, str]:
    """What the image gives its init scripts: the superuser, its database, the passwords;
    here over TCP rather than the image's socket."""
    return {
        "PATH": f"{install_dir() / 'bin'}{os.pathsep}{os.environ['PATH']}",
        "PGHOST": "127.0.0.1",
        "PGPORT": str(server.port),
        "POSTGRES_USER": SUPERUSER,
        "POSTGRES_DB": "postgres",
        **passwords,
    }


def run_init(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    databases = subprocess.run(
        ["psql", "-v", "ON_ERROR_STOP=1", "--no-psqlrc", "-U", SUPERUSER, "-d", "postgres"],
        input=(INIT / "01-databases.sql").read_text(),
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert databases.returncode == 0, databases.stderr
    return subprocess.run(
        [str(INIT / "02-roles.sh")], env=env, capture_output=True, text=True, check=False
    )


def role_dsn(server: EmbeddedPostgres, service: str, database: str) -> str:
    return f"postgresql://fumidai_{service}@127.0.0.1:{server.port}/{database}"


async def test_issue16_each_service_opens_its_own_database_only(server: EmbeddedPostgres) -> None:
    passwords = {f"POSTGRES_{s.upper()}_PASSWORD": f"pw-{s}" for s in SERVICES}
    made = run_init(init_env(server, passwords))
    assert made.returncode == 0, made.stderr

    for service in SERVICES:
        own = await asyncpg.connect(role_dsn(server, service, f"fumidai_{service}"))
        try:  # the service's real migrations (identity's make an extension) as its role
            applied = await apply(
                own, service_migrations(service, SERVICES_DIR / service / "migrations")
            )
            assert applied, service
        finally:
            await own.close()
        for other in SERVICES:
            if other == service:
                continue
            with pytest.raises(asyncpg.InsufficientPrivilegeError, match="permission denied"):
                await asyncpg.connect(role_dsn(server, service, f"fumidai_{other}"))


def test_issue16_roles_need_every_password(tmp_path: Path) -> None:
    """A password left empty in deploy/.env stops the first start, naming it (compose
    refuses earlier; this is the script's own guard)."""
    server = EmbeddedPostgres(tmp_path / "pg")
    server.start()
    try:
        passwords = {f"POSTGRES_{s.upper()}_PASSWORD": "pw" for s in SERVICES}
        passwords["POSTGRES_AUDIT_PASSWORD"] = ""
        refused = run_init(init_env(server, passwords))
    finally:
        server.stop()
    assert refused.returncode != 0
    assert "POSTGRES_AUDIT_PASSWORD is empty" in refused.stderr
