-- The 認証連携先 catalogue follows the facility's FederationTarget* events (issue 15,
-- decision 0018): a retired target stays, flagged, so the users who hold it still read it
-- while no one else can be given it. A rename rewrites the name on those users; the GIN
-- index finds them without reading every user of the facility.
ALTER TABLE facility_federation_targets
    ADD COLUMN retired boolean NOT NULL DEFAULT false;

CREATE INDEX users_federation_targets ON users USING gin (federation_targets);
