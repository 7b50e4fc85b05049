"""The docstrings under structs' attributes, as the OpenAPI documents' field descriptions.

The code documents a field with a docstring under it (STYLE.md); Litestar reads only
``msgspec.Meta(description=...)``. Rather than write each description twice, the
documents take them from the source: a field explained for readers of the code is
explained to the authors of clients too.
"""

import ast
import inspect
import itertools
import textwrap
from functools import cache
from typing import Any, get_args, get_type_hints

import msgspec
from litestar import Litestar

DOCS_FROM = "docs_from"
"""A struct's class variable naming, per other struct, fields of its own that mean what
they mean there: a wire type repeating another service's fields says them once, in the
contract that owns them, and takes their docstrings from it."""


@cache
def attribute_docs(cls: type) -> dict[str, str]:
    """Field name → the docstring under it, in ``cls`` and the classes it inherits, or in
    the struct its ``docs_from`` names for that field."""
    docs: dict[str, str] = {}
    borrowed: dict[type, tuple[str, ...]] = getattr(cls, DOCS_FROM, {})
    for other, fields in borrowed.items():
        theirs = attribute_docs(other)
        docs.update({field: theirs[field] for field in fields})
    for klass in reversed(cls.__mro__):
        try:
            source = textwrap.dedent(inspect.getsource(klass))
        except (OSError, TypeError):  # builtins and msgspec's own classes have no source
            continue
        definition = ast.parse(source).body[0]
        if not isinstance(definition, ast.ClassDef):
            continue
        body = definition.body
        for field, after in itertools.pairwise(body):
            if (
                isinstance(field, ast.AnnAssign)
                and isinstance(field.target, ast.Name)
                and isinstance(after, ast.Expr)
                and isinstance(after.value, ast.Constant)
                and isinstance(after.value.value, str)
            ):
                docs[field.target.id] = _prose(after.value.value)
    return docs


def _prose(docstring: str) -> str:
    """A docstring's paragraphs, each on one line (its line breaks only fit the source)."""
    paragraphs = inspect.cleandoc(docstring).split("\n\n")
    return "\n\n".join(" ".join(p.split("\n")) for p in paragraphs)


def _reachable(hint: Any, found: dict[str, list[type[msgspec.Struct]]]) -> None:
    """Every struct class in a type hint, and in those structs' fields."""
    if isinstance(hint, type) and issubclass(hint, msgspec.Struct):
        known = found.setdefault(hint.__name__, [])
        if hint in known:
            return
        known.append(hint)
        for field_hint in get_type_hints(hint, include_extras=True).values():
            _reachable(field_hint, found)
    for arg in get_args(hint):
        _reachable(arg, found)


def structs_of(app: Litestar) -> dict[str, list[type[msgspec.Struct]]]:
    """The struct classes the app's routes take and answer (problems included), by class name (the title of
    their schemas). Only those: a struct of the same name elsewhere does not count."""
    found: dict[str, list[type[msgspec.Struct]]] = {}
    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            _reachable(handler.parsed_fn_signature.return_type.annotation, found)
            for parameter in handler.parsed_fn_signature.parameters.values():
                _reachable(parameter.annotation, found)
            for documented in (handler.responses or {}).values():
                _reachable(documented.data_container, found)
    return found


def describe_fields(
    schemas: dict[str, Any], structs: dict[str, list[type[msgspec.Struct]]]
) -> None:
    """Give each struct schema's undescribed properties the docstrings of its fields.

    A schema is matched to the struct of its title with exactly its properties; a name
    shared by structs of other shapes does not mislead it."""
    for schema in schemas.values():
        properties = schema.get("properties")
        if not properties:
            continue
        matches = [
            cls
            for cls in structs.get(schema.get("title", ""), [])
            if {f.encode_name for f in msgspec.structs.fields(cls)} == set(properties)
        ]
        if not matches:
            continue
        docs = attribute_docs(matches[0])
        if not schema.get("description") and matches[0].__doc__:
            schema["description"] = _prose(matches[0].__doc__)
        for name, prop in properties.items():
            if name in docs and not prop.get("description"):
                prop["description"] = docs[name]
