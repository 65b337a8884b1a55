#!/bin/bash
# Starts the miss path's A/B (docs/benchmarks.md, issue 20): one sim (:19392, 300 ms to first token) and two
# role-all processes, A = $BEFORE_JAR on :18382 and B = $AFTER_JAR on :18383, each in its own folder under $OUT
# (embedded Postgres and Redis of their own). Process ids go to $OUT/pids; stop them with `kill $(cut -d' ' -f2 $OUT/pids)`.
# A_ENV / B_ENV: settings for one side only, e.g. B_ENV="EDGECHAT_CACHE_EMBEDDER_THREADS=2" to A/B a setting on one jar.
OUT=${OUT:-bench-results/miss-ab}; BEFORE_JAR=${BEFORE_JAR:?jar of the reference build}; AFTER_JAR=${AFTER_JAR:?jar of this build}
rm -rf "$OUT"; mkdir -p "$OUT/A" "$OUT/B"; OUT=$(cd "$OUT" && pwd)
java -jar "$AFTER_JAR" sim --port 19392 --first-token-ms 300 --tokens-per-second 40 --answer-tokens 30 > "$OUT/sim.log" 2>&1 &
echo "sim $!" > "$OUT/pids"
for x in A:18382:$BEFORE_JAR B:18383:$AFTER_JAR; do IFS=: read n port jar <<< "$x"
  side_env=$([ "$n" = A ] && echo "${A_ENV:-}" || echo "${B_ENV:-}")
  ( cd "$OUT/$n" && exec env $side_env EDGECHAT_LIMITS_ENABLED=false EDGECHAT_LLM_BASE_URL=http://127.0.0.1:19392/v1 \
    EDGECHAT_LLM_API_KEY=sim EDGECHAT_HTTP_PORT=$port java -jar "$jar" all > "$OUT/$n/all.log" 2>&1 ) &
  echo "$n $!" >> "$OUT/pids"
done
for i in $(seq 1 180); do grep -q "edge ready" "$OUT/A/all.log" && grep -q "edge ready" "$OUT/B/all.log" && break; sleep 1; done
grep -h "edge ready" "$OUT/A/all.log" "$OUT/B/all.log"
