#!/usr/bin/env bash
# One round of `bench gateway` in one configuration of the edge: the role it runs in, whether the
# processes are pinned to cores, and the edge JVM's options (docs/benchmarks.md, gateway section,
# "Pinned cores and role edge"). Starts the sim, the edge and nginx (scripts/bench/nginx-gateway.conf
# with this script's ports), waits for the edge, runs the bench, stops all three; the whole round holds
# the shared benchmark lock exclusively, so nothing else builds or measures meanwhile.
#
#   scripts/bench/gateway-pinned.sh JAR OUT ROLE PIN [JVM option ...]
#     ROLE  all  (origin, worker, embedded Postgres and Redis in the edge's JVM, as the earlier runs)
#           edge (the edge alone; origin.url points at the sim, whose /healthz answers, since the gateway
#                 never calls origin; no cache Redis: answers are cached in the edge's process)
#     PIN   yes  (sim and load generator on CPU 0; the proxy under test, edge JVM or nginx, on CPU 1)
#           no   (everything on both cores)
#   e.g. scripts/bench/gateway-pinned.sh /tmp/gateway-pinned/edgechat.jar /tmp/gateway-pinned/pgc-1 edge yes \
#          -XX:+UseParallelGC -Xms1g -Xmx1g
#
# Environment: BASE_PORT (default 18400: edge BASE, sim BASE+1, nginx BASE+2), BENCH_ARGS (default
# --concurrency 16,64 --requests 1000 --warmup 100 --runs 3), LOCK (default /tmp/edgechat-cpu.lock).
set -euo pipefail

if [[ $# -lt 4 ]]; then
  sed -n '2,19p' "$0" >&2
  exit 2
fi
jar=$(realpath "$1"); out=$(realpath -m "$2"); role=$3; pin=$4; shift 4
case "$role" in all | edge) ;; *) echo "ROLE is all or edge" >&2; exit 2 ;; esac
case "$pin" in yes | no) ;; *) echo "PIN is yes or no" >&2; exit 2 ;; esac
base=${BASE_PORT:-18400}
edge_port=$base; sim_port=$((base + 1)); nginx_port=$((base + 2))
bench_args=${BENCH_ARGS:---concurrency 16,64 --requests 1000 --warmup 100 --runs 3}
lock=${LOCK:-/tmp/edgechat-cpu.lock}
conf=$(dirname "$(realpath "$0")")/nginx-gateway.conf

if [[ $pin == yes ]]; then load_cpu=(taskset -c 0); proxy_cpu=(taskset -c 1); else load_cpu=(); proxy_cpu=(); fi

mkdir -p "$out/ngx" "$out/data"
sed "s/127.0.0.1:18101/127.0.0.1:$sim_port/; s/127.0.0.1:18102/127.0.0.1:$nginx_port/" "$conf" > "$out/nginx.conf"

pids=()
stop() {
  [[ -f $out/ngx/nginx.pid ]] && kill "$(cat "$out/ngx/nginx.pid")" 2>/dev/null || true
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}

round() {
  trap stop EXIT
  EDGECHAT_HTTP_PORT=$sim_port "${load_cpu[@]}" java -jar "$jar" sim --port "$sim_port" --first-token-ms 100 \
    --tokens-per-second 200 --answer-tokens 20 > "$out/sim.log" 2>&1 9>&- &
  pids+=($!)
  local edge_env=(EDGECHAT_LLM_BASE_URL="http://127.0.0.1:$sim_port/v1" EDGECHAT_LLM_API_KEY=sim
    EDGECHAT_HTTP_PORT="$edge_port" EDGECHAT_GATEWAY_KEYS=bench-key EDGECHAT_DATA_DIR="$out/data")
  if [[ $role == edge ]]; then
    edge_env+=(EDGECHAT_ORIGIN_URL="http://127.0.0.1:$sim_port" EDGECHAT_EDGE_TOKEN=bench-edge-token)
  fi
  # GC pauses logged to a file in every configuration, to be counted afterwards
  env "${edge_env[@]}" "${proxy_cpu[@]}" java "$@" "-Xlog:gc:file=$out/gc.log" -jar "$jar" "$role" \
    > "$out/edge.log" 2>&1 9>&- &
  local edge_pid=$!
  pids+=("$edge_pid")
  "${proxy_cpu[@]}" /usr/sbin/nginx -c "$out/nginx.conf" -p "$out/ngx" 9>&-
  for _ in $(seq 1 240); do
    grep -q "edge ready" "$out/edge.log" && break
    kill -0 "$edge_pid" 2>/dev/null || { echo "the edge stopped, see $out/edge.log" >&2; exit 1; }
    sleep 0.5
  done
  grep -q "edge ready" "$out/edge.log" || { echo "the edge did not start in 120 s" >&2; exit 1; }
  local before after
  before=$(awk '{print $14 + $15}' "/proc/$edge_pid/stat")
  # shellcheck disable=SC2086
  "${load_cpu[@]}" java -jar "$jar" bench gateway --gateway "http://127.0.0.1:$edge_port" --key bench-key \
    --sim "http://127.0.0.1:$sim_port" --nginx "http://127.0.0.1:$nginx_port" $bench_args --out "$out" \
    > "$out/bench.log" 2>&1
  after=$(awk '{print $14 + $15}' "/proc/$edge_pid/stat")
  echo "edge CPU during the bench: $(( (after - before) / $(getconf CLK_TCK) )) s" | tee -a "$out/bench.log"
  echo "edge GC: $(grep -m1 -o 'Using [A-Za-z0-9]*' "$out/gc.log"), $(grep -c 'Pause' "$out/gc.log") pauses in all" \
    | tee -a "$out/bench.log"
}

# the lock's file descriptor is inherited by everything started here; -w bounds only the wait
exec 9> "$lock"
flock -x -w 590 9
round "$@"
echo "results: $out/gateway.md"
