-- The append-only event log of one service, which is also its outbox.
--
-- Order for the relay is (tx_id, position): a transaction's id is taken at its first
-- write, which the store makes the event insert, and only events of transactions older
-- than the oldest one still running are relayed. That gives commit order without
-- serialising writers on a table lock (see docs/decisions/0001-event-order.md).
CREATE TABLE events (
    position bigint GENERATED ALWAYS AS IDENTITY,
    tx_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
    event_id uuid NOT NULL,
    aggregate_id text NOT NULL,
    version integer NOT NULL CHECK (version >= 1),
    aggregate_type text NOT NULL,
    type text NOT NULL,
    facility text NOT NULL,
    occurred_at timestamptz NOT NULL,
    payload bytea NOT NULL,
    PRIMARY KEY (aggregate_id, version),
    UNIQUE (event_id)
);
CREATE INDEX events_relay_order ON events (tx_id, position);

-- Where the relay has got to: the last event whose PubAck came back.
CREATE TABLE relay_checkpoint (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    tx_id xid8 NOT NULL,
    position bigint NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Event ids each projection has applied: redelivery and replay change nothing.
CREATE TABLE inbox (
    projection text NOT NULL,
    event_id uuid NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (projection, event_id)
);
CREATE INDEX inbox_event ON inbox (event_id);
