#!/bin/sh
# Run once by the postgres image on an empty data directory, after 01-databases.sql.
# One login role per service, owning its database (so its migrations run) and the only
# role besides the superuser that may connect to it: a compromised service cannot open
# another's database (docs/security.md). Passwords come from deploy/.env.
set -e  # not -u: the image sources a script that is not executable

for service in identity terminals audit fileshare gateway; do
    variable="POSTGRES_$(echo "$service" | tr '[:lower:]' '[:upper:]')_PASSWORD"
    password=$(printenv "$variable" || true)
    if [ -z "$password" ]; then
        echo "02-roles.sh: $variable is empty; set it in deploy/.env" >&2
        exit 1
    fi
    psql -v ON_ERROR_STOP=1 --no-psqlrc --no-password --username "$POSTGRES_USER" \
        --dbname "$POSTGRES_DB" -v name="fumidai_$service" -v password="$password" <<'SQL'
CREATE ROLE :"name" LOGIN PASSWORD :'password';
ALTER DATABASE :"name" OWNER TO :"name";
REVOKE ALL ON DATABASE :"name" FROM PUBLIC;
SQL
done
