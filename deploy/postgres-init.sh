#!/bin/sh
# Run once by the postgres image on an empty data directory (docker-entrypoint-initdb.d): two databases
# and two owners, because the school's records and the police's belong to two organisations. The
# passwords come from the environment docker-compose.yml passes in; nothing secret is in this file.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" \
  -v school_password="$SCHOOL_DB_PASSWORD" -v police_password="$POLICE_DB_PASSWORD" <<'SQL'
CREATE ROLE school_api LOGIN PASSWORD :'school_password';
CREATE DATABASE school_api OWNER school_api;
CREATE ROLE police_api LOGIN PASSWORD :'police_password';
CREATE DATABASE police_api OWNER police_api;
SQL
