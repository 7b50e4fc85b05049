"""The facility's 認証連携先 catalogue (SPEC T1, U1; issue 15), as pure functions.

A target is known by its name, unique in the facility ignoring case, retired ones
included (a retired name stays on the users who hold it, so a new target of the same
name would make two things of one). Operators add, rename and retire targets; nothing
is ever deleted. A retired target cannot be renamed: it is kept only so that the users
who had it still read what they had (decision 0018).

``CatalogueState`` is folded from the facility's ``FederationTarget*`` events; the
projection table ``facility_federation_targets`` holds the same rows.
"""

import unicodedata
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field

from libs.events.catalogue.identity import (
    FederationTargetAdded,
    FederationTargetRenamed,
    FederationTargetRetired,
)
from services.identity.contract.limits import FEDERATION_TARGET_NAME_MAX as NAME_MAX
from services.identity.domain.errors import conflict, invalid, not_found, taken
from services.identity.domain.user_profile import NOT_IN_NAMES

SEPARATOR = ","
"""A users CSV cell lists several targets separated by commas (U6): no name holds one."""

FederationEvent = FederationTargetAdded | FederationTargetRenamed | FederationTargetRetired


@dataclass(frozen=True)
class CatalogueState:
    """name → retired, for one facility."""

    targets: Mapping[str, bool] = field(default_factory=dict)

    def current(self) -> frozenset[str]:
        """Names that may be given to a user."""
        return frozenset(name for name, retired in self.targets.items() if not retired)

    def retired(self) -> frozenset[str]:
        return frozenset(name for name, retired in self.targets.items() if retired)

    def allowed_for(self, held: Collection[str]) -> frozenset[str]:
        """What a user holding ``held`` may keep or be given: every current target, and
        the retired ones it already holds (U1: kept, readable, removable)."""
        return self.current() | (self.retired() & set(held))


def check_target_name(value: str, field_name: str = "name") -> str:
    """A target's name: NFC, no surrounding spaces, 1–64 printable characters, no comma."""
    text = unicodedata.normalize("NFC", value).strip()
    if not 1 <= len(text) <= NAME_MAX:
        raise invalid(field_name, "federation_target_name_length")
    if any(unicodedata.category(ch) in NOT_IN_NAMES for ch in text):
        raise invalid(field_name, "federation_target_name_invalid")
    if SEPARATOR in text:
        raise invalid(field_name, "federation_target_name_comma")
    return text


def _existing(state: CatalogueState, value: str) -> str:
    """The catalogued name ``value`` (NFC, trimmed) names exactly; else 404."""
    name = unicodedata.normalize("NFC", value).strip()
    if name not in state.targets:
        raise not_found("federation_target_not_found")
    return name


def _refuse_taken(state: CatalogueState, name: str, *, besides: str | None = None) -> None:
    key = name.casefold()
    for existing in state.targets:
        if existing != besides and existing.casefold() == key:
            raise taken("name", "federation_target_taken")


def add_target(state: CatalogueState, code: str, name: str) -> FederationTargetAdded:
    """Add ``name`` to facility ``code``'s catalogue."""
    checked = check_target_name(name)
    _refuse_taken(state, checked)
    return FederationTargetAdded(code=code, name=checked)


def rename_target(
    state: CatalogueState, code: str, previous: str, name: str
) -> FederationTargetRenamed:
    """Rename a current target; users who hold it hold the new name (the projection)."""
    old = _existing(state, previous)
    if state.targets[old]:
        raise conflict("federation_target_retired_rename")
    checked = check_target_name(name)
    if checked == old:
        raise invalid("name", "federation_target_name_unchanged")
    _refuse_taken(state, checked, besides=old)
    return FederationTargetRenamed(code=code, previous_name=old, name=checked)


def retire_target(state: CatalogueState, code: str, name: str) -> FederationTargetRetired:
    """Retire a current target: no one new gets it; those who have it keep it."""
    target = _existing(state, name)
    if state.targets[target]:
        raise conflict("federation_target_already_retired")
    return FederationTargetRetired(code=code, name=target)


def mutate(state: CatalogueState, event: FederationEvent) -> CatalogueState:
    """The catalogue after one event (a rename keeps the target's place)."""
    targets = dict(state.targets)
    if isinstance(event, FederationTargetAdded):
        targets[event.name] = False
    elif isinstance(event, FederationTargetRenamed):
        targets = {
            (event.name if name == event.previous_name else name): retired
            for name, retired in targets.items()
        }
    else:
        targets[event.name] = True
    return CatalogueState(targets)


def fold(events: Iterable[FederationEvent], state: CatalogueState | None = None) -> CatalogueState:
    """The catalogue after ``events``, from ``state`` (empty unless given)."""
    for event in events:
        state = mutate(state or CatalogueState(), event)
    return state or CatalogueState()
