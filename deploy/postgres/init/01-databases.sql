-- Run once by the postgres image on an empty data directory (docker-entrypoint-initdb.d).
-- One database per service; each service applies its own migrations at start.
CREATE DATABASE fumidai_identity;
CREATE DATABASE fumidai_terminals;
CREATE DATABASE fumidai_audit;
CREATE DATABASE fumidai_fileshare;
CREATE DATABASE fumidai_gateway;
