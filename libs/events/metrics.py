"""Prometheus metrics of the event backbone, shared by every service."""

from prometheus_client import Counter, Gauge, Histogram

EVENTS_APPENDED = Counter("fumidai_events_appended_total", "Events appended to this service's log.")
EVENTS_PUBLISHED = Counter("fumidai_events_published_total", "Events the relay got a PubAck for.")
RELAY_BACKLOG = Gauge("fumidai_relay_backlog", "Events committed but not yet acknowledged by NATS.")
RELAY_ERRORS = Counter("fumidai_relay_errors_total", "Relay publish windows that failed.")
RELAY_LEADER = Gauge("fumidai_relay_leader", "1 while this process holds the relay lock.")
EVENTS_CONSUMED = Counter(
    "fumidai_events_consumed_total", "Messages a projection committed.", ["projection", "outcome"]
)
CONSUMER_LAG = Gauge(
    "fumidai_consumer_lag", "Messages pending for a projection's consumer.", ["projection"]
)
CONSUMER_FAILURES = Counter(
    "fumidai_consumer_failures_total", "Messages a projection failed to apply.", ["projection"]
)
DEAD_LETTERS = Counter(
    "fumidai_dead_letters_total",
    "Messages moved to the dead-letter stream.",
    ["consumer", "reason"],
)
CONSUME_SECONDS = Histogram(
    "fumidai_consume_batch_seconds", "Time to apply and commit one batch.", ["projection"]
)
