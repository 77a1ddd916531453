#!/bin/sh
# Creates Temporal's two databases and brings their schemas to the version of this server image.
# Idempotent: on later starts `create` finds the database and the updates find nothing to do.
set -eu
tool() {
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "${DB_PORT:-5432}" \
    -u "$POSTGRES_USER" "$@"
}
until nc -z "$POSTGRES_SEEDS" "${DB_PORT:-5432}"; do
  echo "waiting for PostgreSQL at $POSTGRES_SEEDS:${DB_PORT:-5432} ..."
  sleep 2
done
schema=/etc/temporal/schema/postgresql/v12
for db in temporal temporal_visibility; do
  dir=temporal
  [ "$db" = temporal_visibility ] && dir=visibility
  tool --db "$db" create || echo "database $db exists"
  tool --db "$db" setup-schema -v 0.0 || echo "schema of $db already set up"
  tool --db "$db" update-schema -d "$schema/$dir/versioned"
done
echo "Temporal schema is up to date"
