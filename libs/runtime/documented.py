"""Field rules that an API documents but its decoder does not enforce.

Form fields are checked by the domain, which names every problem of a form at once, in
Japanese, beside its field. If the decoder enforced the same limits, a long name would be
refused alone with msgspec's English message instead. So the decoder keeps only a payload
bound, and the OpenAPI document states the rule the domain applies (docs/decisions/0011).
"""

from typing import Any

import msgspec


def documented(description: str, **rule: Any) -> msgspec.Meta:
    """A field's description and its documented rule, for Litestar's OpenAPI schema.

    ``rule`` takes Litestar's ``Schema`` attribute names (``max_length``, ``min_length``,
    ``pattern``, ``max_items``, ``enum``, ``format``, ``items``); they replace whatever the
    wire bound put in the document, and change nothing in decoding.
    """
    return msgspec.Meta(description=description, extra_json_schema={"extra": rule})
