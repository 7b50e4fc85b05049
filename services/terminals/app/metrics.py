"""Prometheus metrics of terminals: decisions by reason, session endings, force-close delay."""

from prometheus_client import Counter, Gauge, Histogram

DECISIONS = Counter(
    "fumidai_connection_decisions_total",
    "Connection decisions (SPEC C1), by reason; 'allowed' when allowed.",
    ["reason"],
)
SESSIONS_STARTED = Counter("fumidai_sessions_started_total", "Remote sessions started.")
SESSIONS_LIVE = Gauge(
    "fumidai_sessions_live",
    "Sessions live now, counted in the database at each sweep (every replica sees the same).",
)
SESSIONS_ENDED = Counter(
    "fumidai_sessions_ended_total",
    "Remote sessions ended, by how: agent, force_closed, timed_out, user_deleted, "
    "terminal_deleted.",
    ["how"],
)
CLOSE_ACK_SECONDS = Histogram(
    "fumidai_close_order_ack_seconds",
    "From an order to close a session to its agent's acknowledgement (SPEC C4).",
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 30.0, 300.0, 3600.0),
)
POLLS_HELD = Gauge("fumidai_agent_polls_held", "Agents' control-channel polls held open.")
DECISION_BATCH = Histogram(
    "fumidai_decision_batch_size",
    "Decisions committed per transaction (group commit).",
    buckets=(1, 2, 5, 10, 20, 50, 100, 200, 500),
)
