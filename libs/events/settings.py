"""Settings of the event backbone (streams, relay, consumers)."""

from typing import Annotated

import msgspec

from libs.config.env import load

M = msgspec.Meta

KEPT_FOREVER = ("identity", "terminals")
"""Contexts whose streams never age out (decision 0036): their events are state (facilities,
users, terminals, credentials) that a projection built later, or rebuilt, replays from the
first one. The other contexts' events only feed logs with a retention period."""


class EventSettings(msgspec.Struct, frozen=True, kw_only=True):
    """How events are named, kept and moved."""

    subject_root: Annotated[str, M(description="First token of every event subject.")] = "fumidai"
    stream_prefix: Annotated[str, M(description="Prefix of JetStream stream names.")] = "FUMIDAI"
    replicas: Annotated[
        int, M(ge=1, le=5, description="Stream replicas: 1 alone, 3 in a cluster.")
    ] = 1
    duplicate_window_s: Annotated[
        float, M(gt=0, description="JetStream de-duplication window; ≥ the relay's retry horizon.")
    ] = 7200.0
    max_age_days: Annotated[
        int,
        M(
            ge=1,
            description="How long the streams of log-only contexts (fileshare, probe) and dead "
            "letters keep events; ≥ every audit log's retention (730 days). identity's and "
            "terminals' streams keep theirs forever (decision 0036).",
        ),
    ] = 800
    signin_max_age_days: Annotated[
        int,
        M(
            ge=30,
            description="How long the signin stream keeps attempts; ≥ the 30-day ログインログ.",
        ),
    ] = 45
    relay_batch: Annotated[
        int, M(ge=1, le=10000, description="Events the relay publishes per window.")
    ] = 500
    relay_poll_s: Annotated[
        float, M(gt=0, description="Relay polling interval when no NOTIFY arrives.")
    ] = 1.0
    relay_gather_s: Annotated[
        float,
        M(
            ge=0,
            le=0.1,
            description="After a short window, how long the relay lets events gather before "
            "reading again: one read, one publish window and one checkpoint commit for "
            "what commits meanwhile, not one each.",
        ),
    ] = 0.005
    relay_ack_timeout_s: Annotated[
        float, M(gt=0, description="How long the relay waits for a PubAck before retrying.")
    ] = 5.0
    consumer_batch: Annotated[
        int, M(ge=1, le=5000, description="Messages per fetch and transaction.")
    ] = 200
    consumer_max_deliver: Annotated[
        int, M(ge=1, description="Deliveries before a message is dead-lettered.")
    ] = 5
    consumer_ack_wait_s: Annotated[
        float,
        M(
            gt=0,
            description="Ack wait of consumers: how soon messages a dead replica or a "
            "stopped NATS node had fetched come again. A batch being applied is kept in "
            "hand by in-progress acks every third of it, however long it takes.",
        ),
    ] = 10.0
    consumer_max_ack_pending: Annotated[
        int, M(ge=1, description="Unacked messages per consumer.")
    ] = 2000
    consumer_lag_interval_s: Annotated[
        float,
        M(
            gt=0,
            description="How often each projection's consumer reads its pending messages "
            "from JetStream for the fumidai_consumer_lag gauge.",
        ),
    ] = 15.0
    provision_all_streams: Annotated[
        bool,
        M(
            description="Create every context's stream at start, not only the service's own "
            "(and wait for the others): for a service run alone, with a NATS identity allowed to."
        ),
    ] = False
    nak_backoff_s: Annotated[
        tuple[float, ...], M(description="Redelivery delays after a failure, by attempt.")
    ] = (0.2, 1.0, 5.0, 15.0)

    def stream_name(self, context: str) -> str:
        """The stream that carries ``context``'s events."""
        return f"{self.stream_prefix}_{context.upper()}"

    def stream_max_age_days(self, context: str) -> int:
        """How long ``context``'s stream keeps events, 0 for forever: the directories a
        new consumer or a projection rebuild starts from (decision 0036); high-volume
        sign-ins get less."""
        if context in KEPT_FOREVER:
            return 0
        return self.signin_max_age_days if context == "signin" else self.max_age_days

    @property
    def deadletter_stream(self) -> str:
        return f"{self.stream_prefix}_DEADLETTER"

    @property
    def advisory_stream(self) -> str:
        return f"{self.stream_prefix}_ADVISORIES"


def load_event_settings() -> EventSettings:
    """Read ``FUMIDAI_EVENTS_*`` from the environment."""
    return load(EventSettings, "FUMIDAI_EVENTS_")
