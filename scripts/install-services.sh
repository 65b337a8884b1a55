#!/usr/bin/env bash
# Installs Debian's PostgreSQL 15 (server, client, pg_basebackup) and Redis 7 for the multi-region topology
# (dev.edgechat.topology.Topology: a primary with a streaming replica, one redis-server per region), unless
# they are there already. Run by `mvn verify` before the tests (pom.xml, exec-maven-plugin) and by .ci/run;
# needs root or sudo.
set -euo pipefail
PG_BIN=/usr/lib/postgresql/15/bin
missing=()
for tool in initdb pg_ctl pg_basebackup postgres; do
  if [ ! -x "$PG_BIN/$tool" ]; then missing+=(postgresql); break; fi
done
if ! command -v redis-server >/dev/null 2>&1; then missing+=(redis-server); fi
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-services: ${missing[*]} missing and this is not a Debian-like system (no apt-get);" \
       "install PostgreSQL 15 (so that $PG_BIN/initdb, pg_ctl and pg_basebackup exist) and Redis 7" \
       "(redis-server on the PATH), then run the tests again" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "install-services: installing ${missing[*]} needs root: run this script as root, or install sudo" >&2
    exit 1
  fi
  SUDO="sudo"
fi
echo "install-services: installing Debian's ${missing[*]} for the multi-region topology"
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
# the packages' own clusters and services are not used: the topology runs its own servers in a temporary folder
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
if [ ! -x "$PG_BIN/initdb" ]; then
  echo "install-services: $PG_BIN/initdb is still missing: this Debian's postgresql is not version 15;" \
       "install postgresql-15" >&2
  exit 1
fi
