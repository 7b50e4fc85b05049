"""Generated contract docs of the event backbone: a JSON Schema and an AsyncAPI 3.0 document.

Everything is derived from the catalogue and the envelope, so a new event type shows up
here by itself. ``python -m libs.events.schema_docs`` rewrites ``docs/events/``; a test
fails while the checked-in files differ from ``render()``.
"""

import ast
import inspect
import itertools
import json
import textwrap
import tomllib
import typing
from importlib import metadata
from pathlib import Path
from typing import Any

import msgspec

from libs.events.catalogue import ALL_EVENTS, Event, event_name
from libs.events.correlation import NATS_HEADER
from libs.events.envelope import Envelope
from libs.events.settings import EventSettings
from libs.events.subjects import context_subjects

REPO_ROOT = Path(__file__).resolve().parents[2]
DOCS_DIR = REPO_ROOT / "docs" / "events"
SCHEMA_FILE = "events.schema.json"
ASYNCAPI_FILE = "asyncapi.json"

# Defaults, not the environment: the docs must not depend on who generates them.
_SETTINGS = EventSettings()


def _struct_closure(root: type[msgspec.Struct]) -> list[type[msgspec.Struct]]:
    """Every Struct reachable from ``root``'s field types, ``root`` first."""
    found: dict[type[msgspec.Struct], None] = {}

    def visit(tp: object) -> None:
        if isinstance(tp, type) and issubclass(tp, msgspec.Struct) and tp not in found:
            found[tp] = None
            for field in msgspec.structs.fields(tp):
                visit(field.type)
        for arg in typing.get_args(tp):
            visit(arg)

    visit(root)
    return list(found)


def _field_docs(cls: type[msgspec.Struct]) -> dict[str, str]:
    """Attribute docstrings (a string literal right after an annotated field), by field name."""
    docs: dict[str, str] = {}
    # Base classes first so that a subclass's docstring for the same field wins.
    for klass in reversed(cls.__mro__):
        if not issubclass(klass, msgspec.Struct) or klass is msgspec.Struct:
            continue
        try:
            tree = ast.parse(textwrap.dedent(inspect.getsource(klass)))
        except (OSError, TypeError):  # built at runtime: no source, no field docs
            continue
        body = tree.body[0].body if isinstance(tree.body[0], ast.ClassDef) else []
        for stmt, after in itertools.pairwise(body):
            if (
                isinstance(stmt, ast.AnnAssign)
                and isinstance(stmt.target, ast.Name)
                and isinstance(after, ast.Expr)
                and isinstance(after.value, ast.Constant)
                and isinstance(after.value.value, str)
            ):
                docs[stmt.target.id] = inspect.cleandoc(after.value.value)
    return docs


def _components(ref_template: str) -> tuple[dict[type[msgspec.Struct], str], dict[str, Any]]:
    """Schema components of the envelope and every payload, with class and field docs.

    Returns the component name of each Struct and the components themselves.
    """
    structs = _struct_closure(Envelope)
    refs, components = msgspec.json.schema_components(structs, ref_template=ref_template)
    prefix, _, suffix = ref_template.partition("{name}")
    names = {
        cls: ref["$ref"].removeprefix(prefix).removesuffix(suffix)
        for cls, ref in zip(structs, refs, strict=True)
    }
    for cls, name in names.items():
        schema = components[name]
        # msgspec copies __doc__ raw; Python 3.13 dedents docstrings and 3.11 does not,
        # so clean them here or the output would depend on the interpreter.
        if cls.__doc__:
            schema["description"] = inspect.cleandoc(cls.__doc__)
        properties = schema.get("properties", {})
        docs = _field_docs(cls)
        for field in msgspec.structs.fields(cls):
            if field.name in docs and field.encode_name in properties:
                # A Meta(description=...) on the field is more deliberate: keep it.
                properties[field.encode_name].setdefault("description", docs[field.name])
    return names, components


def json_schema() -> dict[str, Any]:
    """The JSON Schema (2020-12) of ``Envelope`` with every event payload under ``$defs``."""
    names, components = _components("#/$defs/{name}")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "fumidai event envelope",
        "description": components[names[Envelope]].get("description", ""),
        "$ref": f"#/$defs/{names[Envelope]}",
        "$defs": components,
    }


def _asyncapi_schema(node: Any) -> Any:
    """``node`` with OpenAPI-style discriminator objects turned into AsyncAPI's plain string."""
    if isinstance(node, dict):
        out = {key: _asyncapi_schema(value) for key, value in node.items()}
        discriminator = out.get("discriminator")
        # Only a union's discriminator: a Struct field may itself be named "discriminator".
        if isinstance(discriminator, dict) and ("anyOf" in out or "oneOf" in out):
            out["discriminator"] = discriminator["propertyName"]
        return out
    if isinstance(node, list):
        return [_asyncapi_schema(item) for item in node]
    return node


def _version() -> str:
    """The project version from pyproject.toml, else the installed package's, else ``1``."""
    # pyproject first: the docs live in the repo and must not depend on a stale install.
    pyproject = REPO_ROOT / "pyproject.toml"
    if pyproject.is_file():
        version = tomllib.loads(pyproject.read_text("utf-8")).get("project", {}).get("version")
        if isinstance(version, str):
            return version
    try:
        return metadata.version("fumidai")
    except metadata.PackageNotFoundError:
        return "1"


def _tag(cls: type[Event]) -> str:
    tag = cls.__struct_config__.tag
    assert isinstance(tag, str)
    return tag


def _channel_id(cls: type[Event]) -> str:
    # Versions of one event share a subject (it carries the name, not the version),
    # so a channel is per subject pattern and each version is a message on it.
    return f"{cls.context}.{cls.aggregate}.{event_name(cls)}"


def asyncapi() -> dict[str, Any]:
    """An AsyncAPI 3.0 document: a channel per event subject, a message per event type."""
    ref = "#/components/schemas/{name}"
    names, components = _components(ref)
    root = _SETTINGS.subject_root
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for cls in ALL_EVENTS:
        tag, channel_id = _tag(cls), _channel_id(cls)
        messages[tag] = _message(cls, ref.format(name=names[Envelope]), ref.format(name=names[cls]))
        channel = channels.setdefault(channel_id, _channel(cls))
        channel["messages"][tag] = {"$ref": f"#/components/messages/{tag}"}
        operation = operations.setdefault(f"{channel_id}.send", _operation(cls, channel_id))
        operation["messages"].append({"$ref": f"#/channels/{channel_id}/messages/{tag}"})
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "fumidai events",
            "version": _version(),
            "description": (
                "Events of the fumidai services on NATS JetStream. Subjects are "
                f"`{root}.<context>.<facility>.<aggregate>.<aggregateId>.<EventName>` "
                f"(`{root}` is the default subject root); each context publishes to its own "
                f"stream `{_SETTINGS.stream_prefix}_<CONTEXT>`. Every message is an Envelope "
                "whose `data` is the event."
            ),
        },
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": {"schemas": _asyncapi_schema(components), "messages": messages},
    }


def _message(cls: type[Event], envelope_ref: str, data_ref: str) -> dict[str, Any]:
    """The message of one event type: its headers and the envelope carrying it."""
    tag = _tag(cls)
    doc = inspect.cleandoc(cls.__doc__ or tag)
    return {
        "name": tag,
        "title": tag,
        "summary": doc.splitlines()[0],
        "description": doc,
        "contentType": "application/json",
        "correlationId": {
            "description": "The envelope's correlation id, shared by a causal chain.",
            "location": "$message.payload#/correlation_id",
        },
        "headers": {
            "type": "object",
            "required": ["Nats-Msg-Id", "Fumidai-Type"],
            "properties": {
                "Nats-Msg-Id": {
                    "type": "string",
                    "description": "The envelope's event_id; JetStream de-duplicates on it.",
                },
                "Fumidai-Type": {
                    "const": tag,
                    "description": "The versioned event type, equal to data.type.",
                },
                NATS_HEADER: {
                    "type": "string",
                    "description": "The envelope's correlation_id: the id of the request "
                    "or event that caused it (decision 0045).",
                },
            },
        },
        # The envelope, with data narrowed to this event (whose schema pins data.type).
        "payload": {
            "allOf": [
                {"$ref": envelope_ref},
                {"type": "object", "properties": {"data": {"$ref": data_ref}}},
            ]
        },
    }


def _channel(cls: type[Event]) -> dict[str, Any]:
    """The channel of an event's subject, its messages still to add."""
    root, name = _SETTINGS.subject_root, event_name(cls)
    stream = _SETTINGS.stream_name(cls.context)
    return {
        "address": f"{root}.{cls.context}.{{facility}}.{cls.aggregate}.{{aggregateId}}.{name}",
        "title": name,
        "description": (
            f"{name} events of the {cls.context} context, on stream {stream} "
            f"(subjects {context_subjects(root, cls.context)})."
        ),
        "parameters": {
            "facility": {
                "description": "Facility code (the envelope's facility); `-` for platform events."
            },
            "aggregateId": {
                "description": f"Id of the {cls.aggregate} aggregate (the envelope's aggregate_id)."
            },
        },
        "messages": {},
    }


def _operation(cls: type[Event], channel_id: str) -> dict[str, Any]:
    """The relay's sending on an event's channel, its messages still to add."""
    name, stream = event_name(cls), _SETTINGS.stream_name(cls.context)
    return {
        "action": "send",
        "channel": {"$ref": f"#/channels/{channel_id}"},
        "title": f"{cls.context} publishes {name}",
        "summary": f"The {cls.context} service's relay publishes {name} to {stream}.",
        "tags": [{"name": cls.context}],
        "messages": [],
    }


def _dump(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def render() -> dict[str, str]:
    """File name → exact text of every generated file; deterministic, no timestamps."""
    return {SCHEMA_FILE: _dump(json_schema()), ASYNCAPI_FILE: _dump(asyncapi())}


def main() -> None:
    """Write ``render()`` into ``docs/events/`` at the repo root."""
    DOCS_DIR.mkdir(parents=True, exist_ok=True)
    for name, text in render().items():
        (DOCS_DIR / name).write_text(text, encoding="utf-8")
        print(f"wrote {(DOCS_DIR / name).relative_to(REPO_ROOT)}")


if __name__ == "__main__":
    main()
