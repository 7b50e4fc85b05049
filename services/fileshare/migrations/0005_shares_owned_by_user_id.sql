-- Shares belong to a user, not to an account name (issue 16, item 3): a user deleted and
-- another created with the same name must not inherit the first one's shares.

ALTER TABLE shares ADD COLUMN owner_id text;

-- Shares uploaded before: their owner is the one user fileshare has known by that name in
-- that facility. Where there were several (deleted and re-created), nobody can tell whose
-- the share was: it stays without an owner, which only the facility's admins can reach.
UPDATE shares s SET owner_id = u.user_id
FROM share_users u
WHERE u.facility = s.facility
  AND lower(u.account) = lower(s.owner_account)
  AND (SELECT count(*) FROM share_users o
       WHERE o.facility = s.facility AND lower(o.account) = lower(s.owner_account)) = 1;

CREATE INDEX shares_by_owner_id ON shares (owner_id, uploaded_at DESC);
