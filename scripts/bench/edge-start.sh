#!/usr/bin/env bash
# Times an edge from launch to /readyz 200, several starts in a row, and reads its memory at ready and
# once the semantic cache's model has loaded (docs/benchmarks.md, "Lean edge (issue 20)").
#
#   scripts/bench/edge-start.sh LAUNCH OUT RUNS [JVM option ...]
#     LAUNCH  a jar (started with `java [options] -jar LAUNCH edge`) or an image folder made by
#             scripts/build-image.sh (started as the container starts it: LAUNCH/bin/edgechat edge, the
#             options in JAVA_TOOL_OPTIONS, which then replace the launcher's defaults)
#     OUT     folder for each start's log and the figures (starts.tsv)
#     RUNS    starts, one after the other
#   e.g. scripts/bench/edge-start.sh target/image /tmp/start/image 5
#
# The edge needs an origin for /readyz 200 (it checks origin's /healthz): ORIGIN_URL (default
# http://127.0.0.1:18511, e.g. a role `all` started with EDGECHAT_ORIGIN_INTERNAL_PORT=18511 and the same
# EDGECHAT_EDGE_TOKEN). PORT (default 18510) is the edge's. SETTLE_S (default 8) is how long after ready
# the second memory figure is read. Each start's line: ready ms (launch to /readyz 200), the JVM's CPU ms at
# that moment, RSS at ready and after SETTLE_S, heap used then, threads, the machine's load average.
set -euo pipefail

if [[ $# -lt 3 ]]; then
  sed -n '2,17p' "$0" >&2
  exit 2
fi
launch=$(realpath "$1"); out=$(realpath -m "$2"); runs=$3; shift 3
port=${PORT:-18510}
origin=${ORIGIN_URL:-http://127.0.0.1:18511}
token=${EDGE_TOKEN:-bench-edge-token}
settle=${SETTLE_S:-8}
mkdir -p "$out/data"
printf 'run\tready_ms\tcpu_ms_at_ready\trss_ready_mb\trss_settled_mb\theap_used_settled_mb\tthreads\tloadavg\n' > "$out/starts.tsv"

rss_mb() { awk '/^VmRSS:/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }

for run in $(seq 1 "$runs"); do
  log=$out/edge-$run.log
  env=(EDGECHAT_HTTP_PORT="$port" EDGECHAT_ORIGIN_URL="$origin" EDGECHAT_EDGE_TOKEN="$token"
    EDGECHAT_DATA_DIR="$out/data" EDGECHAT_LLM_API_KEY=unused)
  start=$(date +%s%N)
  if [[ -d $launch ]]; then
    if [[ $# -gt 0 ]]; then env+=(JAVA_TOOL_OPTIONS="$*"); fi
    env "${env[@]}" "$launch/bin/edgechat" edge > "$log" 2>&1 &
  else
    env "${env[@]}" java "$@" -jar "$launch" edge > "$log" 2>&1 &
  fi
  pid=$!
  ready_ms=-1
  for _ in $(seq 1 3000); do
    if [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/readyz" || true) == 200 ]]; then
      ready_ms=$(( ($(date +%s%N) - start) / 1000000 ))
      break
    fi
    kill -0 "$pid" 2>/dev/null || { echo "the edge stopped, see $log" >&2; exit 1; }
    sleep 0.01
  done
  # CPU the JVM spent to get there (user + system, all threads): less sensitive to a loaded machine than ready_ms
  cpu_ms=$(awk -v hz="$(getconf CLK_TCK)" '{ printf "%.0f", ($14 + $15) * 1000 / hz }' "/proc/$pid/stat")
  rss_ready=$(rss_mb "$pid")
  sleep "$settle"
  rss_settled=$(rss_mb "$pid")
  heap=$(curl -s "http://127.0.0.1:$port/metrics" \
    | awk '/^jvm_memory_used_bytes\{.*area="heap"/ { s += $NF } END { printf "%.0f", s / 1048576 }')
  threads=$(awk '/^Threads:/ { print $2 }' "/proc/$pid/status")
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$run" "$ready_ms" "$cpu_ms" "$rss_ready" "$rss_settled" "$heap" "$threads" "$load" \
    | tee -a "$out/starts.tsv"
  kill -TERM "$pid"
  wait "$pid" 2>/dev/null || true
done
sort -t$'\t' -k2,2n <(tail -n +2 "$out/starts.tsv") \
  | awk -F'\t' '{ v[NR] = $2 } END { printf "median of %d starts: ready %s ms\n", NR, v[int((NR + 1) / 2)] }' \
  | tee -a "$out/starts.tsv"
