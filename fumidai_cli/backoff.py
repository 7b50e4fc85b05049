"""When ``./fumidai up`` restarts a crashed service or server: the pure policy.

Exponential from ``first_s``, capped at ``cap_s``; a run that lasted ``stable_s`` or more
forgives every crash before it. ``loud_after`` crashes in a row, each soon after its start,
is a crash loop: said loudly, and still retried at the cap (docs/decisions/0033).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Policy:
    first_s: float = 1.0
    factor: float = 2.0
    cap_s: float = 30.0
    stable_s: float = 60.0
    """A run at least this long was a good one: the next crash waits ``first_s`` again."""
    loud_after: int = 5


@dataclass(frozen=True)
class Crashes:
    """A component's crashes in a row (each within ``stable_s`` of its start)."""

    in_a_row: int = 0


def after_crash(policy: Policy, before: Crashes, ran_for_s: float) -> tuple[Crashes, float]:
    """The count after a crash of a run that lasted ``ran_for_s``, and the wait before the
    restart."""
    in_a_row = 1 if ran_for_s >= policy.stable_s else before.in_a_row + 1
    # Bounded exponent: a component that crashes for days must not overflow the float.
    exponent = min(in_a_row - 1, 64)
    delay = min(policy.cap_s, policy.first_s * policy.factor**exponent)
    return Crashes(in_a_row), delay


def crash_loop(policy: Policy, crashes: Crashes) -> bool:
    """True when the crashes in a row are a loop worth saying loudly."""
    return crashes.in_a_row >= policy.loud_after
