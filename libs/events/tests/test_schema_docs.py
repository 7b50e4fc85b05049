"""The generated event docs are current and cover the whole catalogue."""

from typing import Any

import pytest

from libs.events import schema_docs
from libs.events.catalogue import ALL_EVENTS, EVENTS_BY_TAG, Event
from libs.events.settings import EventSettings
from libs.events.subjects import filter_for

REGENERATE = "run `python -m libs.events.schema_docs` and commit docs/events/"


def _tag(cls: type[Event]) -> str:
    tag = cls.__struct_config__.tag
    assert isinstance(tag, str)
    return tag


def _resolve(document: dict[str, Any], ref: str) -> Any:
    """Follow a local JSON pointer ``#/a/b`` inside ``document``."""
    assert ref.startswith("#/"), ref
    node: Any = document
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


@pytest.mark.parametrize("name", sorted(schema_docs.render()))
def test_checked_in_docs_are_current(name: str) -> None:
    path = schema_docs.DOCS_DIR / name
    assert path.is_file(), f"{path} is missing: {REGENERATE}"
    assert path.read_text(encoding="utf-8") == schema_docs.render()[name], (
        f"{path} is stale: {REGENERATE}"
    )


def test_render_is_deterministic() -> None:
    assert schema_docs.render() == schema_docs.render()


@pytest.mark.parametrize("cls", ALL_EVENTS, ids=_tag)
def test_every_event_is_a_message_on_its_subject(cls: type[Event]) -> None:
    doc = schema_docs.asyncapi()
    tag = _tag(cls)
    message = doc["components"]["messages"][tag]
    assert message["headers"]["properties"]["Fumidai-Type"]["const"] == tag
    data_ref = message["payload"]["allOf"][1]["properties"]["data"]["$ref"]
    assert _resolve(doc, data_ref)["properties"]["type"]["enum"] == [tag]

    channels = [
        channel
        for channel in doc["channels"].values()
        if {"$ref": f"#/components/messages/{tag}"} in channel["messages"].values()
    ]
    assert len(channels) == 1, f"{tag} should be on exactly one channel"
    # The address, wildcarded, must be the filter consumers actually subscribe with.
    address = channels[0]["address"]
    wildcarded = address.replace("{facility}", "*").replace("{aggregateId}", "*")
    assert wildcarded == filter_for(EventSettings().subject_root, cls)

    sends = [
        operation
        for operation in doc["operations"].values()
        if operation["action"] == "send"
        and any(
            _resolve(doc, m["$ref"]) == {"$ref": f"#/components/messages/{tag}"}
            for m in operation["messages"]
        )
    ]
    assert len(sends) == 1, f"{tag} should be sent by exactly one operation"
    assert sends[0]["tags"] == [{"name": cls.context}]


def test_every_event_is_in_the_envelope_union() -> None:
    # jsonschema is not a dependency, so check the union itself instead of validating.
    schema = schema_docs.json_schema()
    data = _resolve(schema, schema["$ref"])["properties"]["data"]
    mapping = data["discriminator"]["mapping"]
    assert data["discriminator"]["propertyName"] == "type"
    assert set(mapping) == set(EVENTS_BY_TAG)
    branches = {branch["$ref"] for branch in data["anyOf"]}
    assert branches == set(mapping.values())
    for tag, ref in mapping.items():
        component = _resolve(schema, ref)
        assert component["properties"]["type"]["enum"] == [tag]
        assert "type" in component["required"]
