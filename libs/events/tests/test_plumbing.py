"""The shared write-side plumbing: envelopes of an aggregate's next events, retry on a
lost race, the settable clock."""

from datetime import UTC, datetime, timedelta

import pytest

from libs.events.catalogue.terminals import TerminalCreated, TerminalRenamed
from libs.events.clock import SettableClock
from libs.events.envelope import SYSTEM, next_event, next_events
from libs.events.retry import StaleVersion, retrying
from libs.events.store import ConcurrencyConflict

AT = datetime(2025, 3, 24, 1, 0, tzinfo=UTC)
CREATED = TerminalCreated(name="998-a")
RENAMED = TerminalRenamed(name="998-b", previous_name="998-a")


def test_next_events_number_after_the_version_at_one_time() -> None:
    envelopes = next_events(
        [CREATED, RENAMED], aggregate_id="t1", version=4, facility="998", actor=SYSTEM, at=AT
    )
    assert [e.version for e in envelopes] == [5, 6]
    assert {e.occurred_at for e in envelopes} == {AT}
    assert {e.aggregate_id for e in envelopes} == {"t1"}
    assert [e.data for e in envelopes] == [CREATED, RENAMED]


def test_one_commands_events_share_the_first_ones_correlation() -> None:
    first, second = next_events(
        [CREATED, RENAMED], aggregate_id="t1", version=0, facility="998", actor=SYSTEM
    )
    assert (first.correlation_id, first.causation_id) == (first.event_id, None)
    assert (second.correlation_id, second.causation_id) == (first.event_id, first.event_id)
    joined = next_events(
        [CREATED, RENAMED],
        aggregate_id="t2",
        version=0,
        facility="998",
        actor=SYSTEM,
        correlation_id=first.correlation_id,
    )
    assert {e.correlation_id for e in joined} == {first.event_id}
    assert joined[0].causation_id is None and joined[1].causation_id == joined[0].event_id


def test_events_with_a_cause_follow_from_it() -> None:
    cause = next_event(CREATED, aggregate_id="t1", version=0, facility="998", actor=SYSTEM)
    caused = next_events(
        [CREATED, RENAMED], aggregate_id="s1", version=2, facility="998", actor=SYSTEM, cause=cause
    )
    assert {(e.correlation_id, e.causation_id) for e in caused} == {
        (cause.correlation_id, cause.event_id)
    }
    assert len({e.event_id for e in caused}) == 2


async def test_retrying_tries_again_after_a_lost_race_then_gives_up() -> None:
    tries: list[int] = []

    async def lost_twice() -> str:
        tries.append(1)
        if len(tries) < 3:
            raise ConcurrencyConflict("a", 1)
        return "won"

    assert await retrying(lost_twice) == "won" and len(tries) == 3
    tries.clear()

    async def always_lost() -> str:
        tries.append(1)
        raise ConcurrencyConflict("a", 1)

    with pytest.raises(ConcurrencyConflict):
        await retrying(always_lost, attempts=5)
    assert len(tries) == 5


async def test_a_stale_version_from_the_caller_is_never_retried() -> None:
    tries: list[int] = []

    async def stale() -> None:
        tries.append(1)
        raise StaleVersion("a", 3)

    with pytest.raises(StaleVersion):
        await retrying(stale)
    assert len(tries) == 1


def test_settable_clock_is_set_and_moved() -> None:
    clock = SettableClock(AT)
    assert clock() == AT
    clock.advance(timedelta(hours=1))
    clock.advance(minutes=30)
    assert clock() == AT + timedelta(hours=1, minutes=30)
    clock.now = AT
    assert clock() == AT
    assert SettableClock()().tzinfo is not None
