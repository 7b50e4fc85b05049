"""How services sign in to NATS (decision 0026): their NKey, their own inbox, TLS as a setting."""

import datetime
import ipaddress
from collections.abc import Iterator
from pathlib import Path

import nats
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from libs.devservers.nats import EmbeddedNats, ServerTls
from libs.devservers.natsauth import new_user, write_seeds
from libs.runtime.nats_client import NatsSettingsError, connect_options
from libs.runtime.settings import CoreSettings


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _write_key(path: Path, key: ec.EllipticCurvePrivateKey) -> None:
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


def make_certificates(folder: Path) -> tuple[Path, ServerTls]:
    """A CA, and a certificate it signed for 127.0.0.1: (CA file, the server's TLS)."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("fumidai test CA"))
        .issuer_name(_name("fumidai test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("127.0.0.1"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    ca_file, cert_file, key_file = folder / "ca.pem", folder / "server.pem", folder / "server.key"
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    _write_key(key_file, key)
    return ca_file, ServerTls(cert_file=cert_file, key_file=key_file, ca_file=ca_file)


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[EmbeddedNats, Path, Path]]:
    """A NATS server with TLS and authorization; (server, CA file, a user's seed file)."""
    ca_file, tls = make_certificates(tmp_path)
    user = new_user("identity", None)
    seed = write_seeds(tmp_path / "keys", [user])["identity"]
    server = EmbeddedNats(tmp_path / "nats", users=[user], tls=tls)
    server.start()
    yield server, ca_file, seed
    server.stop()


async def test_a_service_with_the_ca_setting_connects_over_tls(
    tls_server: tuple[EmbeddedNats, Path, Path],
) -> None:
    server, ca_file, seed = tls_server
    core = CoreSettings(
        database_url="postgresql://unused",
        nats_url=server.url,
        nats_nkey_seed_file=str(seed),
        nats_tls_ca_file=str(ca_file),
    )
    nc = await nats.connect(server.url, allow_reconnect=False, **connect_options(core, "identity"))
    try:
        assert nc.is_connected
        await nc.jetstream().account_info()
    finally:
        await nc.close()


async def test_without_the_ca_setting_the_tls_server_is_not_trusted(
    tls_server: tuple[EmbeddedNats, Path, Path],
) -> None:
    server, _, seed = tls_server
    core = CoreSettings(
        database_url="postgresql://unused", nats_url=server.url, nats_nkey_seed_file=str(seed)
    )
    with pytest.raises(Exception):  # noqa: B017 - certificate verify failed, whatever the wrapper
        await nats.connect(
            server.url,
            allow_reconnect=False,
            max_reconnect_attempts=1,
            connect_timeout=2,
            **connect_options(core, "identity"),
        )


def test_a_client_certificate_without_a_ca_is_refused_as_a_setting() -> None:
    core = CoreSettings(database_url="postgresql://unused", nats_tls_cert_file="/x.pem")
    with pytest.raises(NatsSettingsError):
        connect_options(core, "identity")


def test_replies_come_on_the_services_own_inbox() -> None:
    options = connect_options(CoreSettings(database_url="postgresql://unused"), "audit")
    assert options == {"inbox_prefix": "_INBOX.audit"}
