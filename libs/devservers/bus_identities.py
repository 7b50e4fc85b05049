"""The suite's NATS identities: one per service, each allowed only what its ``bus.py`` says.

Made fresh for each run of the suite (``up``, a test's suite) from the environment the
services will read, so the permissions name the same subjects, streams and bucket.
"""

import importlib
from collections.abc import Mapping, Sequence
from pathlib import Path

import nats

from libs.config.env import load
from libs.devservers.natsauth import NatsUser, connect_options, new_user, write_seeds
from libs.devservers.suite import SERVICES
from libs.events.access import (
    PROVISIONER,
    BusRights,
    permissions,
    provisioner_permissions,
    reader_rights,
)
from libs.events.settings import EventSettings
from libs.events.streams import ensure_streams


def service_rights(service: str) -> BusRights:
    """What ``service`` declares it does on the bus (``services/<name>/bus.py``)."""
    rights: BusRights = importlib.import_module(f"services.{service}.bus").RIGHTS
    return rights


def bucket(env: Mapping[str, str]) -> str:
    """The object store's bucket fileshare will use with ``env``."""
    own = importlib.import_module("services.fileshare.settings").FileshareOwn
    return str(load(own, "FUMIDAI_FILESHARE_", env).bucket)


def events_of(env: Mapping[str, str]) -> EventSettings:
    """The event settings services started with ``env`` read."""
    return load(EventSettings, "FUMIDAI_EVENTS_", env)


def service_users(env: Mapping[str, str]) -> list[NatsUser]:
    """A fresh identity per service, with the permissions its rights give under ``env``."""
    events = events_of(env)
    store = bucket(env)
    return [new_user(s, permissions(service_rights(s), events, store)) for s in SERVICES]


def reader_user(prefix: str, env: Mapping[str, str]) -> NatsUser:
    """A fresh read-only identity for an audit consumer or SIEM outside the suite."""
    return new_user(prefix, permissions(reader_rights(prefix), events_of(env)))


def provisioner_user(env: Mapping[str, str]) -> NatsUser:
    """A fresh identity for the operator's tool that creates and updates the streams."""
    return new_user(PROVISIONER, provisioner_permissions(events_of(env), bucket(env)))


async def provision(url: str, provisioner: NatsUser, env: Mapping[str, str]) -> None:
    """Create every stream, or bring it to the settings services started with ``env`` read."""
    nc = await nats.connect(url, **connect_options(provisioner))
    try:
        await ensure_streams(nc.jetstream(), events_of(env))
    finally:
        await nc.close()


def seed_env(seeds: Mapping[str, Path]) -> dict[str, str]:
    """The variables that hand each service its seed file."""
    return {f"FUMIDAI_{s.upper()}_NATS_NKEY_SEED_FILE": str(path) for s, path in seeds.items()}


def issue(
    folder: Path, env: Mapping[str, str], readers: Sequence[str] = ()
) -> tuple[list[NatsUser], dict[str, str]]:
    """Make the services' identities (and outside ``readers``'), write their seeds under
    ``folder``; the users (for the server) and the variables (for the services)."""
    services = service_users(env)
    users = [*services, *(reader_user(name, env) for name in readers)]
    seeds = write_seeds(folder, users)
    return users, seed_env({user.name: seeds[user.name] for user in services})
