#!/usr/bin/env bash
# One run of `bench open-streams` against a fresh edge started with the JVM options given
# (docs/benchmarks.md, "Lean edge (issue 20)"): starts the edge, waits for /readyz 200, runs the bench with the
# edge's process id (RSS, threads and descriptors from /proc), stops the edge.
#
#   scripts/bench/open-streams.sh JAR OUT [JVM option ...]
#
# Needs, already running: an origin whose answers are slow enough to stay open (e.g. role `all` with
# EDGECHAT_ORIGIN_INTERNAL_PORT=18511, EDGECHAT_LLM_POOL_SIZE=256 and EDGECHAT_LIMITS_ENABLED=false, its LLM a
# sim started with --first-token-ms 300 --tokens-per-second 0.2 --answer-tokens 60). Environment: ORIGIN_URL
# (default http://127.0.0.1:18511), EDGE_TOKEN (default bench-edge-token), PORT (default 18530), BENCH_ARGS
# (default --streams 10000 --distinct 100 --open-rate 500 --probes 200 --probe-concurrency 2 --hold-seconds 10).
# Each held stream is a socket on both ends: the soft descriptor limit is raised to the hard one here, and the
# run stops early when that is below twice the streams.
set -euo pipefail

if [[ $# -lt 2 ]]; then
  sed -n '2,14p' "$0" >&2
  exit 2
fi
jar=$(realpath "$1"); out=$(realpath -m "$2"); shift 2
port=${PORT:-18530}
bench_args=${BENCH_ARGS:---streams 10000 --distinct 100 --open-rate 500 --probes 200 --probe-concurrency 2 --hold-seconds 10}
streams=$(sed -n 's/.*--streams \([0-9]*\).*/\1/p' <<< "$bench_args"); streams=${streams:-10000}

ulimit -n "$(ulimit -Hn)"
if [[ $(ulimit -n) != unlimited && $(ulimit -n) -lt $((streams + 1000)) ]]; then
  echo "open-streams: ulimit -n is $(ulimit -n) (hard limit), too few for $streams streams plus the edge's own" >&2
  exit 1
fi

mkdir -p "$out/data"
EDGECHAT_HTTP_PORT=$port EDGECHAT_ORIGIN_URL=${ORIGIN_URL:-http://127.0.0.1:18511} \
  EDGECHAT_EDGE_TOKEN=${EDGE_TOKEN:-bench-edge-token} EDGECHAT_DATA_DIR="$out/data" EDGECHAT_LLM_API_KEY=unused \
  EDGECHAT_LIMITS_ENABLED=false java "$@" "-Xlog:gc:file=$out/gc.log" -jar "$jar" edge > "$out/edge.log" 2>&1 &
edge=$!
trap 'kill -TERM $edge 2>/dev/null || true; wait $edge 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do
  [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/readyz" || true) == 200 ]] && break
  kill -0 "$edge" 2>/dev/null || { echo "the edge stopped, see $out/edge.log" >&2; exit 1; }
  sleep 0.1
done
sleep 5 # the semantic cache's model loads in the background after ready
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$out/bench.log"
# shellcheck disable=SC2086
java -jar "$jar" bench open-streams --target "http://127.0.0.1:$port" --edge-pid "$edge" $bench_args --out "$out" \
  2>>"$out/bench.log" | tee -a "$out/bench.log"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/bench.log"
echo "edge GC: $(grep -m1 -o 'Using [A-Za-z0-9]*' "$out/gc.log"), $(grep -c 'Pause' "$out/gc.log") pauses" \
  | tee -a "$out/bench.log"
