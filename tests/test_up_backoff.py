"""When ``./fumidai up`` restarts what crashed (decision 0033): the pure backoff policy, and
the supervisor's decisions on a clock and components of the test's own."""

from fumidai_cli.backoff import Crashes, Policy, after_crash, crash_loop
from fumidai_cli.supervisor import Supervisor, Watched

POLICY = Policy(first_s=1.0, factor=2.0, cap_s=30.0, stable_s=60.0, loud_after=5)


def delays(ran_for: list[float]) -> list[float]:
    crashes = Crashes()
    out = []
    for seconds in ran_for:
        crashes, delay = after_crash(POLICY, crashes, seconds)
        out.append(delay)
    return out


def test_waits_double_from_one_second_up_to_the_cap() -> None:
    assert delays([0.5] * 8) == [1, 2, 4, 8, 16, 30, 30, 30]


def test_a_run_that_lasted_forgives_the_crashes_before_it() -> None:
    assert delays([1, 1, 1, 60, 1]) == [1, 2, 4, 1, 2]
    assert delays([1, 1, 59.9]) == [1, 2, 4]


def test_days_of_crashing_stay_at_the_cap() -> None:
    crashes, delay = after_crash(POLICY, Crashes(in_a_row=10_000), 0.0)
    assert (crashes.in_a_row, delay) == (10_001, 30.0)


def test_a_crash_loop_is_five_in_a_row() -> None:
    assert not crash_loop(POLICY, Crashes(4))
    assert crash_loop(POLICY, Crashes(5))


class Fake:
    """A component that dies when told, and counts its restarts."""

    def __init__(self, fails_to_start: int = 0) -> None:
        self.alive = True
        self.restarts = 0
        self.fails_to_start = fails_to_start

    def restart(self) -> None:
        self.restarts += 1
        if self.fails_to_start:
            self.fails_to_start -= 1
            raise RuntimeError("port 5432 is taken\nlog tail")
        self.alive = True


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def supervise(fake: Fake, clock: Clock, said: list[str]) -> Supervisor:
    watched = Watched("audit", lambda: fake.alive, lambda: -9, fake.restart, "audit.log")
    return Supervisor([watched], said.append, POLICY, clock)


def test_a_crash_is_said_and_restarted_after_the_wait() -> None:
    fake, clock, said = Fake(), Clock(), []
    supervisor = supervise(fake, clock, said)
    supervisor.tick()
    assert said == [] and fake.restarts == 0
    fake.alive = False
    clock.now += 5
    supervisor.tick()
    assert said == ["audit exited (code -9); restarting in 1 s"]
    clock.now += 0.9
    supervisor.tick()
    assert fake.restarts == 0
    clock.now += 0.1
    supervisor.tick()
    assert fake.restarts == 1 and said[-1] == "audit restarted"
    supervisor.tick()
    assert fake.restarts == 1


def test_a_failed_restart_counts_as_a_crash_and_a_loop_is_said_loudly() -> None:
    fake, clock, said = Fake(fails_to_start=4), Clock(), []
    supervisor = supervise(fake, clock, said)
    fake.alive = False
    for _ in range(40):
        supervisor.tick()
        clock.now += 1
    assert said[:3] == [
        "audit exited (code -9); restarting in 1 s",
        "audit did not restart (port 5432 is taken); restarting in 2 s",
        "audit did not restart (port 5432 is taken); restarting in 4 s",
    ]
    loud = [line for line in said if line.startswith("WARNING: audit is crashing in a loop")]
    assert len(loud) == 1 and "5 times in a row" in loud[0] and "audit.log" in loud[0]
    assert fake.restarts == 5 and fake.alive and said[-1] == "audit restarted"
