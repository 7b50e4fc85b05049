-- Admins as people (issue 15): their own name (氏名) and address, and whether an operator
-- disabled them (never deleted, manual 3.2). Admins created before have neither: NULL.
ALTER TABLE admins
    ADD COLUMN display_name text,
    ADD COLUMN email text,
    ADD COLUMN disabled boolean NOT NULL DEFAULT false;
