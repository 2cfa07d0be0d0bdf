#!/usr/bin/env bash
# The whole team stack on this machine, in one command:
#
#   scripts/stack.sh [--port 8000] [--web 2] [--workers 2]
#
# starts PostgreSQL, Redis and a Chroma server (scripts/services.sh; their data stays under
# $HANDOFF_SERVICES_DIR, default .services/), then `handoff worker` processes that run the brief
# and ingest jobs, and `handoff serve` with several web processes behind one port. Settings
# already in the environment win over the services' defaults (HANDOFF_DATABASE_URL,
# HANDOFF_REDIS_URL, HANDOFF_CHROMA_URL), so the same command fronts a remote database too.
# Ctrl-C (or SIGTERM) stops the web app and the workers, each worker after its current job; the
# services keep running (scripts/services.sh stop). Logs: $HANDOFF_HOME/logs/.
set -euo pipefail
cd "$(dirname "$0")/.."

port=8000 web=2 workers=2
while [ $# -gt 0 ]; do
  case "$1" in
    --port) port=$2; shift 2 ;;
    --web) web=$2; shift 2 ;;
    --workers) workers=$2; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "stack: unknown option $1 (use --port, --web, --workers)" >&2; exit 2 ;;
  esac
done
for n in "$port" "$web" "$workers"; do
  [[ "$n" =~ ^[0-9]+$ ]] || { echo "stack: $n is not a number" >&2; exit 2; }
done
[ -x .venv/bin/handoff ] || { echo "stack: .venv/bin/handoff not found: run scripts/install.sh first" >&2; exit 1; }

# the services' settings, unless the environment names others
preset_db=${HANDOFF_DATABASE_URL:-} preset_redis=${HANDOFF_REDIS_URL:-} preset_chroma=${HANDOFF_CHROMA_URL:-}
eval "$(scripts/services.sh start)"
export HANDOFF_DATABASE_URL=${preset_db:-$HANDOFF_DATABASE_URL}
export HANDOFF_REDIS_URL=${preset_redis:-$HANDOFF_REDIS_URL}
export HANDOFF_CHROMA_URL=${preset_chroma:-$HANDOFF_CHROMA_URL}
export HANDOFF_HOME="${HANDOFF_HOME:-$HOME/.handoff}"
logs="$HANDOFF_HOME/logs"
mkdir -p "$logs"

pids=()
stop() {
  trap - INT TERM EXIT
  echo "stack: stopping the web app and ${#pids[@]} process(es)" >&2
  kill -TERM "${pids[@]}" 2>/dev/null || true
  for _ in $(seq 1 60); do  # a worker finishes its current step first
    alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.5
  done
  kill -KILL "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap 'stop; exit 0' INT TERM
trap stop EXIT

for n in $(seq 1 "$workers"); do
  .venv/bin/handoff worker >"$logs/worker$n.log" 2>&1 &
  pids+=($!)
done
.venv/bin/handoff serve --host 127.0.0.1 --port "$port" --workers "$web" >"$logs/web.log" 2>&1 &
pids+=($!)
echo "stack: http://127.0.0.1:$port  ($web web processes, $workers workers; logs in $logs)" >&2
echo "stack: first sign-in: .venv/bin/handoff users add you@example.com --role admin" >&2

# stop everything when any process ends by itself (a crash must not leave half a stack)
wait -n "${pids[@]}" || true
echo "stack: a process stopped by itself; see $logs" >&2
exit 1
