"""The 認証連携先 catalogue's rules as pure functions (SPEC T1, U1; decision 0018)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from libs.events.catalogue.identity import (
    FederationTargetAdded,
    FederationTargetRenamed,
    FederationTargetRetired,
)
from libs.runtime.problems import DomainError
from services.identity.domain.federation import (
    CatalogueState,
    add_target,
    fold,
    rename_target,
    retire_target,
)
from services.identity.domain.user_profile import check_federation_targets

STATE = fold(
    [
        FederationTargetAdded(code="998", name="Box"),
        FederationTargetAdded(code="998", name="Teams"),
        FederationTargetAdded(code="998", name="旧メール"),
        FederationTargetRetired(code="998", name="旧メール"),
    ]
)


def refused(code: str, call: object, *args: object) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call(*args)  # type: ignore[operator]
    assert caught.value.code == code, caught.value.code
    assert not caught.value.message.isascii()  # Japanese for the operator
    return caught.value


def test_t1_a_target_name_is_printable_1_to_64_characters_without_a_comma() -> None:
    event = add_target(STATE, "998", "  ＭＳ　365 ")
    assert event == FederationTargetAdded(code="998", name="ＭＳ　365")
    assert add_target(STATE, "998", "x" * 64).name == "x" * 64
    refused("federation_target_name_length", add_target, STATE, "998", "x" * 65)
    refused("federation_target_name_length", add_target, STATE, "998", "   ")
    refused("federation_target_name_invalid", add_target, STATE, "998", "Box\u0007")
    refused("federation_target_name_invalid", add_target, STATE, "998", "a\u2028b")
    refused("federation_target_name_comma", add_target, STATE, "998", "Teams,Mail")


def test_t1_names_are_unique_ignoring_case_retired_ones_included() -> None:
    refused("federation_target_taken", add_target, STATE, "998", "box")
    refused("federation_target_taken", add_target, STATE, "998", "旧メール")
    refused("federation_target_taken", rename_target, STATE, "998", "Box", "TEAMS")
    # A change of case of the same target is a rename, not a clash with itself.
    assert rename_target(STATE, "998", "Box", "BOX").name == "BOX"


def test_t1_rename_and_retire_name_an_existing_target_exactly() -> None:
    refused("federation_target_not_found", rename_target, STATE, "998", "box", "Box2")
    refused("federation_target_not_found", retire_target, STATE, "998", "Slack")
    refused("federation_target_name_unchanged", rename_target, STATE, "998", "Box", " Box ")
    assert rename_target(STATE, "998", " Box ", "Box 2") == FederationTargetRenamed(
        code="998", previous_name="Box", name="Box 2"
    )


def test_t1_a_retired_target_is_retired_once_and_never_renamed() -> None:
    refused("federation_target_already_retired", retire_target, STATE, "998", "旧メール")
    refused("federation_target_retired_rename", rename_target, STATE, "998", "旧メール", "新")
    assert retire_target(STATE, "998", "Teams") == FederationTargetRetired(code="998", name="Teams")


def test_t1_the_fold_follows_add_rename_retire() -> None:
    after = fold(
        [
            FederationTargetRenamed(code="998", previous_name="Box", name="Box 2"),
            FederationTargetRetired(code="998", name="Teams"),
        ],
        STATE,
    )
    assert after.targets == {"Box 2": False, "Teams": True, "旧メール": True}
    assert after.current() == {"Box 2"} and after.retired() == {"Teams", "旧メール"}
    assert fold([]) == CatalogueState()


def test_u1_a_retired_target_stays_on_who_has_it_and_is_refused_to_others() -> None:
    allowed = STATE.allowed_for(["旧メール"])
    assert check_federation_targets(["旧メール", "Box"], allowed, STATE.retired()) == (
        "Box",
        "旧メール",
    )
    assert check_federation_targets([], STATE.allowed_for(["旧メール"]), STATE.retired()) == ()
    with pytest.raises(DomainError) as caught:
        check_federation_targets(["旧メール", "Slack"], STATE.allowed_for([]), STATE.retired())
    codes = {p.code: p.message for p in caught.value.errors}
    assert set(codes) == {"federation_target_unknown", "federation_target_retired"}
    assert (
        "旧メール" in codes["federation_target_retired"]
        and "Slack" in codes["federation_target_unknown"]
    )


_names = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")),
    min_size=1,
    max_size=64,
).filter(lambda s: s.strip() and "," not in s)


@given(st.lists(_names, max_size=6), st.data())
def test_t1_every_accepted_name_is_a_fixed_point_and_unique(
    names: list[str], data: st.DataObject
) -> None:
    """What add accepts, add would take again unchanged (a fixed point, so an exported
    name reads back as itself) but refuses once catalogued, spaced or not; the fold
    knows it by that very name."""
    state = CatalogueState()
    for name in names:
        try:
            event = add_target(state, "998", name)
        except DomainError as error:
            assert error.code in {"federation_target_taken", "federation_target_name_length"}
            continue
        assert add_target(CatalogueState(), "998", event.name).name == event.name
        state = fold([event], state)
        for again in (event.name, f" {event.name}\u3000"):
            with pytest.raises(DomainError):
                add_target(state, "998", again)
    keys = [name.casefold() for name in state.targets]
    assert len(keys) == len(set(keys))
    if state.targets:
        chosen = data.draw(st.sampled_from(sorted(state.targets)))
        assert check_federation_targets([chosen], state.current(), ()) == (chosen,)
