-- An allowed decision's grant is its ConnectionDecided event, read by primary key from
-- events (aggregate_id = decision id, version 1): the agents' hot path writes one row, not
-- two. A session's UNIQUE decision_id still lets a decision start one session only.
DROP TABLE decision_grants;
