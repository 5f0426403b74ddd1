#!/bin/sh
# Run once by the postgres image on an empty volume (/docker-entrypoint-initdb.d): the schema owner
# (migrations, seeding) and the app's least-privilege role, each logging in with its own password, and
# the application database owned by the owner. The grants are made by the migrations (db/roles.ts).
# On a volume initialised before, run the same statements once as the superuser.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v owner_password="$MIGRATION_DB_PASSWORD" -v app_password="$APP_DB_PASSWORD" <<'SQL'
CREATE ROLE idcards_owner LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'owner_password';
CREATE ROLE idcards_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'app_password';
CREATE DATABASE idcards OWNER idcards_owner;
\connect idcards
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
SQL
