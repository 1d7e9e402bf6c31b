#!/usr/bin/env bash
# Counts per request of a built service (dist/) under a fixed load: Redis commands and script
# batch sizes, allocated bytes, CPU, and with COUNT_PROMISES=1 promises. Starts its own
# redis-server on a free port. Usage (from this repository's root, with Node 24 on PATH):
#   scripts/bench/counts/count.sh <built repo> <requests> [VAR=value ...]
#   e.g. scripts/bench/counts/count.sh . 40000 SCENARIO=sold-out COUNT_PROMISES=1
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$1" && pwd)
amount=$2
shift 2
free_port() { node -e "const s=require('net').createServer().listen(0,()=>{console.log(s.address().port);s.close()})"; }
redis_port=$(free_port)
service_port=$(free_port)
measure_port=$(free_port)
redis-server --port "$redis_port" --save '' --appendonly no >/dev/null &
redis_pid=$!
log=$(mktemp)
JWT_SECRET=$(node -e "console.log(require('crypto').randomBytes(32).toString('hex'))")
export JWT_SECRET
# The bench's environment (scripts/bench/bench.ts): memory store, limits raised out of the way.
(cd "$repo" && exec env "$@" NODE_ENV=production STORE=memory ALLOW_MEMORY_STORE_IN_PRODUCTION=true WORKERS=off \
  REDIS_URL="redis://127.0.0.1:$redis_port" RESERVE_RATE_LIMIT=1000000000 \
  GLOBAL_RATE_LIMIT=1000000000 PORT="$service_port" HOST=127.0.0.1 MEASURE_PORT="$measure_port" \
  node --expose-gc --import "$here/instrument.mjs" dist/main.js >"$log" 2>&1) &
service_pid=$!
trap 'kill $service_pid $redis_pid 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 1 150); do
  curl -s -o /dev/null "http://127.0.0.1:$service_port/" && break
  sleep 0.2
done
env "$@" node "$here/drive.mjs" "$repo" "$service_port" "$measure_port" "$amount" || tail -20 "$log"
