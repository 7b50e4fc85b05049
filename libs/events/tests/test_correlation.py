"""The correlation id of the work in hand: taken by the envelopes, read back by the relay
(pure)."""

from libs.events.catalogue.terminals import TerminalCreated, TerminalRenamed
from libs.events.codec import encode
from libs.events.correlation import (
    correlated,
    correlation_of,
    current_correlation,
    new_correlation,
    well_formed,
)
from libs.events.envelope import SYSTEM, next_event, next_events

CREATED = TerminalCreated(name="998-a")
RENAMED = TerminalRenamed(name="998-b", previous_name="998-a")


def test_ids_from_outside_must_be_short_and_plain() -> None:
    assert well_formed(new_correlation())
    assert well_formed("req-01:abc.DEF_9")
    for bad in (None, "", "-leading", "a b", 'a"b', "a\nb", "ä", "x" * 129):
        assert not well_formed(bad), bad


def test_the_current_id_holds_for_the_block_only() -> None:
    assert current_correlation() is None
    with correlated("outer"):
        with correlated("inner"):
            assert current_correlation() == "inner"
        assert current_correlation() == "outer"
    assert current_correlation() is None


def test_events_appended_during_a_request_carry_its_id() -> None:
    with correlated("request-1"):
        first, second = next_events(
            [CREATED, RENAMED], aggregate_id="t1", version=0, facility="998", actor=SYSTEM
        )
    assert first.correlation_id == second.correlation_id == "request-1"
    assert (first.causation_id, second.causation_id) == (None, first.event_id)


def test_a_named_correlation_or_a_cause_wins_over_the_current_one() -> None:
    with correlated("request-1"):
        named = next_event(
            CREATED,
            aggregate_id="t1",
            version=0,
            facility="998",
            actor=SYSTEM,
            correlation_id="sign-in-ref",
        )
        caused = next_event(
            RENAMED, aggregate_id="t1", version=1, facility="998", actor=SYSTEM, cause=named
        )
    assert named.correlation_id == caused.correlation_id == "sign-in-ref"


def test_the_relay_reads_an_envelopes_correlation_without_decoding_it() -> None:
    with correlated("request-2"):
        envelope = next_event(CREATED, aggregate_id="t1", version=0, facility="998", actor=SYSTEM)
    assert correlation_of(encode(envelope)) == "request-2"
    assert correlation_of(b"not json") == ""
