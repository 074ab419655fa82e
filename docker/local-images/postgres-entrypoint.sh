#!/usr/bin/env bash
# Starts PostgreSQL as the official image does (see postgres.Dockerfile):
# a first start makes the cluster, the superuser's password and the first
# database; every start runs the server as the `postgres` user.
set -euo pipefail

if [ "${1:-}" != postgres ]; then
  exec "$@"
fi

user="${POSTGRES_USER:-postgres}"
database="${POSTGRES_DB:-$user}"
as_postgres() { setpriv --reuid=postgres --regid=postgres --init-groups "$@"; }

mkdir -p "$PGDATA" /var/run/postgresql
chown postgres:postgres "$PGDATA" /var/run/postgresql
chmod 700 "$PGDATA"

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  : "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD is required}"
  # initdb reads the password from a file, so that it is never an argument
  # anyone could see in the process list.
  password_file="$(mktemp)"
  printf '%s\n' "$POSTGRES_PASSWORD" >"$password_file"
  chown postgres "$password_file"
  as_postgres initdb --username="$user" --pwfile="$password_file" \
    --auth-local=trust --auth-host=scram-sha-256 >/dev/null
  rm -f "$password_file"
  echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
  echo "listen_addresses = '*'" >>"$PGDATA/postgresql.conf"
  if [ "$database" != postgres ]; then
    as_postgres postgres --single -D "$PGDATA" postgres <<<"CREATE DATABASE \"$database\"" >/dev/null
  fi
  echo "postgres-entrypoint: made a new cluster with database $database"
fi

shift
exec setpriv --reuid=postgres --regid=postgres --init-groups postgres -D "$PGDATA" "$@"
