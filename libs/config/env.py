"""Settings read once from the environment into msgspec Structs.

A settings group is a Struct whose fields carry a one-line description in
``msgspec.Meta``; ``load(Group, "FUMIDAI_DB_")`` reads ``FUMIDAI_DB_<FIELD>`` for each field
and validates the lot, so a bad value stops the service at start with the variable's name.
A field whose type is itself a group (``smtp: SmtpSettings``) is read under the same
prefix, its fields' names unchanged: groups several services share are written once and
their variables keep the names they would have as fields of their own.
"""

import os
from collections.abc import Mapping
from typing import Annotated, Any, TypeVar, get_args, get_origin

import msgspec

T = TypeVar("T", bound=msgspec.Struct)


class SettingsError(Exception):
    """A setting from the environment is missing or malformed."""


def load(group: type[T], prefix: str, environ: Mapping[str, str] | None = None) -> T:
    """Build ``group`` from ``<prefix><FIELD>`` variables; defaults fill the rest."""
    env = os.environ if environ is None else environ
    raw: dict[str, Any] = {}
    for field in msgspec.structs.fields(group):
        if _is_group(field.type):
            raw[field.encode_name] = load(field.type, prefix, env)
            continue
        name = f"{prefix}{field.encode_name.upper()}"
        if name in env:
            raw[field.encode_name] = _parse(env[name], field.type)
    try:
        return msgspec.convert(raw, group, strict=False)
    except msgspec.ValidationError as error:
        raise SettingsError(f"{prefix}*: {error}") from error


def _is_group(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, msgspec.Struct)


def _parse(value: str, annotation: Any) -> Any:
    """Lists and tuples come as JSON arrays or comma-separated; the rest as text."""
    if get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    if get_origin(annotation) in (list, tuple):
        stripped = value.strip()
        if stripped.startswith("["):
            return msgspec.json.decode(stripped)
        return [item.strip() for item in stripped.split(",") if item.strip()]
    return value


def describe(group: type[msgspec.Struct], prefix: str) -> list[tuple[str, str, str]]:
    """Return (variable, default, description) for every field, for docs and ``--help``."""
    rows = []
    for field in msgspec.structs.fields(group):
        if _is_group(field.type):
            rows += describe(field.type, prefix)
            continue
        meta = getattr(field.type, "__metadata__", ())
        description = next((m.description for m in meta if isinstance(m, msgspec.Meta)), "")
        default = "" if field.default is msgspec.NODEFAULT else repr(field.default)
        rows.append((f"{prefix}{field.encode_name.upper()}", default, description or ""))
    return rows
