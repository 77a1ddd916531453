#!/bin/sh
# Runs once, when the PostgreSQL volume is first initialised (docker-entrypoint-initdb.d):
# Signalbox's own database (evidence), next to Temporal's, owned by its own role.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v signalbox_password="$SIGNALBOX_DB_PASSWORD" <<'SQL'
CREATE ROLE signalbox LOGIN PASSWORD :'signalbox_password';
CREATE DATABASE signalbox OWNER signalbox;
SQL
