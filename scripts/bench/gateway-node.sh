#!/usr/bin/env bash
# The gateway's streamed path (cache bypassed) against nginx proxying the same sim and the sim direct,
# with an independent Node client (gateway-load.mjs), alternating sim, nginx, gateway per round and
# concurrency (issue 20; docs/benchmarks.md, "Gateway rows"). Upstream: the sim, 50 ms to the first
# token, 20 tokens at TPS tokens/s (default 400). Per run, from /proc, the CPU time the proxy's processes took per
# request sent, warm-up included (nginx: master and workers; the gateway: its JVM, role `all`).
#
#   scripts/bench/gateway-node.sh OUT [JAR]        (ROUNDS=3, CONC="16 64", REQUESTS=2000)
#
# Writes OUT/runs.jsonl (one line per run) and the servers' logs. Needs node and nginx.
set -euo pipefail
OUT=$1; JAR=${2:-target/edgechat.jar}
ROUNDS=${ROUNDS:-3}; CONC=${CONC:-16 64}; REQUESTS=${REQUESTS:-2000}
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$OUT/nginx"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -f "$OUT/nginx/nginx.pid" ] && kill "$(cat "$OUT/nginx/nginx.pid")" 2>/dev/null || true
}
trap cleanup EXIT
java -jar "$JAR" sim --port 18101 --first-token-ms 50 --tokens-per-second "${TPS:-400}" --answer-tokens 20 > "$OUT/sim.log" 2>&1 &
SIM=$!; PIDS+=($SIM)
EDGECHAT_DATA_DIR="$OUT/data" EDGECHAT_LLM_BASE_URL=http://127.0.0.1:18101/v1 EDGECHAT_LLM_API_KEY=sim \
  EDGECHAT_HTTP_PORT=18100 EDGECHAT_GATEWAY_KEYS=bench-key EDGECHAT_LIMITS_ENABLED=false \
  java ${JVM_OPTS:-} -jar "$JAR" all > "$OUT/all.log" 2>&1 &
EDGE=$!; PIDS+=($EDGE)
for _ in $(seq 240); do
  grep -q 'edge ready' "$OUT/all.log" && break
  kill -0 $EDGE 2>/dev/null || { echo "edgechat did not start: $OUT/all.log" >&2; exit 1; }
  sleep 1
done
/usr/sbin/nginx -c "$HERE/nginx-gateway.conf" -p "$OUT/nginx"
sleep 1
ticks() {   # utime + stime of the given processes
  local sum=0 p
  for p in "$@"; do [ -r /proc/$p/stat ] && sum=$((sum + $(awk '{print $14 + $15}' /proc/$p/stat))); done
  echo $sum
}
HZ=$(getconf CLK_TCK)
NGINX=$(cat "$OUT/nginx/nginx.pid")
for c in $CONC; do   # warm-up of every path, the JIT's included
  for t in sim:18101: nginx:18102: gateway:18100:bench-key; do IFS=: read -r name port key <<< "$t"
    node "$HERE/gateway-load.mjs" "warm-$name" "http://127.0.0.1:$port" "$REQUESTS" "$c" $key > /dev/null
  done
done
: > "$OUT/runs.jsonl"
for r in $(seq "$ROUNDS"); do
  for c in $CONC; do
    for t in sim:18101: nginx:18102: gateway:18100:bench-key; do IFS=: read -r name port key <<< "$t"
      case $name in sim) procs=$SIM ;; nginx) procs="$NGINX $(ps -o pid= --ppid "$NGINX")" ;; gateway) procs=$EDGE ;; esac
      load=$(cut -d' ' -f1 /proc/loadavg)
      t0=$(ticks $procs)
      line=$(node "$HERE/gateway-load.mjs" "$name" "http://127.0.0.1:$port" "$REQUESTS" "$c" $key)
      t1=$(ticks $procs)
      echo "$line" | python3 -c '
import json, sys
d = json.loads(sys.stdin.read()); r, load, ticks, hz = sys.argv[1:5]
d.update(round=int(r), load=float(load), cpu_ms_per_req=round(int(ticks) / int(hz) * 1000 / d["sent"], 3))
print(json.dumps(d))' "$r" "$load" $((t1 - t0)) "$HZ" | tee -a "$OUT/runs.jsonl"
    done
  done
done
