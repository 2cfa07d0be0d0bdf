#!/usr/bin/env bash
# The team services on loopback, for a local stack and for CI's live-service tests:
# PostgreSQL (Debian's postgresql), Redis (Debian's redis-server) and a Chroma server (the
# `chroma` command that chromadb installs into .venv). Data lives under $HANDOFF_SERVICES_DIR.
#
#   scripts/services.sh start    start the three (idempotent) and print the settings to export
#   scripts/services.sh env      print the settings only
#   scripts/services.sh stop     stop the three; the data stays
#
# Eval the output to point the product (and the test suite) at them:
#   eval "$(scripts/services.sh start)"
set -euo pipefail
cd "$(dirname "$0")/.."

dir="${HANDOFF_SERVICES_DIR:-$PWD/.services}"
pg_port="${HANDOFF_PG_PORT:-55432}"
redis_port="${HANDOFF_REDIS_PORT:-56379}"
chroma_port="${HANDOFF_CHROMA_PORT:-58000}"
pg_bin="${HANDOFF_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}"

say() { echo "services: $*" >&2; }

# PostgreSQL refuses to run as root: as root, its commands run as the postgres user.
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

print_env() {
  echo "export HANDOFF_DATABASE_URL=postgresql+psycopg://handoff:handoff@127.0.0.1:${pg_port}/handoff"
  echo "export HANDOFF_REDIS_URL=redis://127.0.0.1:${redis_port}/0"
  echo "export HANDOFF_CHROMA_URL=http://127.0.0.1:${chroma_port}"
}

wait_for() {  # wait_for NAME COMMAND...: up to 60 s
  local name=$1; shift
  for _ in $(seq 1 120); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.5
  done
  say "$name did not come up; its log is in $dir"
  return 1
}

start_pg() {
  [ -x "$pg_bin/postgres" ] || { say "PostgreSQL not found (apt-get install postgresql)"; exit 1; }
  local data="$dir/pg"
  mkdir -p "$dir"
  if [ ! -s "$data/PG_VERSION" ]; then
    mkdir -p "$data"
    [ "$(id -u)" = 0 ] && chown postgres: "$data" "$dir"
    chmod 700 "$data"
    as_pg "$pg_bin/initdb" -D "$data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
      -E UTF8 --locale=C.UTF-8 >"$dir/pg-init.log"
  fi
  if ! as_pg "$pg_bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    as_pg "$pg_bin/pg_ctl" -D "$data" -l "$dir/pg.log" -w -o \
      "-p $pg_port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$data -c fsync=off" \
      start >/dev/null
  fi
  local psql=(as_pg "$pg_bin/psql" -h "$data" -p "$pg_port" -U postgres -v ON_ERROR_STOP=1 -qtA)
  if [ -z "$("${psql[@]}" -c "select 1 from pg_roles where rolname='handoff'")" ]; then
    "${psql[@]}" -c "create role handoff login createdb password 'handoff'"
  fi
  if [ -z "$("${psql[@]}" -c "select 1 from pg_database where datname='handoff'")" ]; then
    "${psql[@]}" -c "create database handoff owner handoff"
  fi
}

start_redis() {
  command -v redis-server >/dev/null || { say "redis-server not found (apt-get install redis-server)"; exit 1; }
  mkdir -p "$dir/redis"
  if ! redis-cli -p "$redis_port" ping >/dev/null 2>&1; then
    redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$dir/redis" --appendonly yes \
      --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log"
    wait_for redis redis-cli -p "$redis_port" ping
  fi
}

chroma_up() {
  python3 -c 'import sys, urllib.request
urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/api/v2/heartbeat", timeout=2)' \
    "$chroma_port" 2>/dev/null
}

start_chroma() {
  [ -x .venv/bin/chroma ] || { say ".venv/bin/chroma not found: run scripts/install.sh first"; exit 1; }
  mkdir -p "$dir/chroma"
  if ! chroma_up; then
    ANONYMIZED_TELEMETRY=False nohup .venv/bin/chroma run --path "$dir/chroma" --host 127.0.0.1 \
      --port "$chroma_port" >"$dir/chroma.log" 2>&1 &
    echo $! >"$dir/chroma.pid"
    wait_for chroma chroma_up
  fi
}

stop_all() {
  if [ -s "$dir/pg/PG_VERSION" ]; then
    as_pg "$pg_bin/pg_ctl" -D "$dir/pg" -m fast stop >/dev/null 2>&1 || true
  fi
  redis-cli -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true
  if [ -s "$dir/chroma.pid" ]; then
    kill "$(cat "$dir/chroma.pid")" 2>/dev/null || true
    rm -f "$dir/chroma.pid"
  fi
}

case "${1:-}" in
  start) start_pg; start_redis; start_chroma; say "up under $dir"; print_env ;;
  env) print_env ;;
  stop) stop_all; say "stopped" ;;
  *) echo "usage: $0 start|env|stop" >&2; exit 2 ;;
esac
