#!/usr/bin/env bash
# Starts the local PostgreSQL cluster if it is down and makes sure the test role exists.
# Tests create one throw-away database per test (ptest_*); leftovers of killed runs are dropped here.
set -euo pipefail

role=portcullis
cluster=$(pg_lsclusters --no-header | awk 'NR == 1 { print $1 " " $2 }')
if [ -z "$cluster" ]; then
  echo "postgres: no PostgreSQL cluster found (is the postgresql package installed?)" >&2
  exit 1
fi
# shellcheck disable=SC2086
if ! pg_lsclusters --no-header | awk 'NR == 1 { print $4 }' | grep -q online; then
  if [ "$(id -u)" -eq 0 ]; then pg_ctlcluster $cluster start; else sudo pg_ctlcluster $cluster start; fi
fi

psql_admin() {
  if [ "$(id -u)" -eq 0 ]; then su postgres -c "psql -qtAX -v ON_ERROR_STOP=1 -c \"$1\""; else sudo -u postgres psql -qtAX -v ON_ERROR_STOP=1 -c "$1"; fi
}

for _ in $(seq 1 50); do
  psql_admin "select 1" >/dev/null 2>&1 && break
  sleep 0.2
done
if [ "$(psql_admin "select 1 from pg_roles where rolname = '$role'")" != 1 ]; then
  psql_admin "create role $role login superuser password '$role'"
fi
for db in $(psql_admin "select datname from pg_database where datname like 'ptest\_%'"); do
  psql_admin "drop database if exists \\\"$db\\\"" >/dev/null
done
