-- fileshare's projection of the facility settings it applies to shares.
CREATE TABLE facility_policies (
    code text PRIMARY KEY,
    internal_networks cidr[] NOT NULL,
    download_period_months integer NOT NULL
);
