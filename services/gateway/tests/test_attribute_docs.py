"""The field descriptions the OpenAPI documents take from the code's docstrings."""

from typing import ClassVar

import msgspec

from services.gateway.api.attribute_docs import attribute_docs


class Owned(msgspec.Struct):
    size: int
    """Bytes."""
    state: str
    """What the owner says of it."""
    extra: bool
    """Only the owner's."""


class Repeating(msgspec.Struct):
    docs_from: ClassVar[dict[type, tuple[str, ...]]] = {Owned: ("size", "state")}
    size: int
    state: str
    """Said again here, for this wire type."""
    extra: bool


def test_a_struct_takes_the_docstrings_of_the_fields_it_names_from_another() -> None:
    """Only the fields named are borrowed, and a docstring of its own wins."""
    docs = attribute_docs(Repeating)
    assert docs["size"] == "Bytes."
    assert docs["state"] == "Said again here, for this wire type."
    assert "extra" not in docs
