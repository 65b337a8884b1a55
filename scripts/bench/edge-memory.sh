#!/usr/bin/env bash
# An edge's memory under a hit load (docs/benchmarks.md, "Issue 20's table, row by row"): origin as a
# role `all` beside a sim, the edge (role `edge`) with the image's JVM settings, RSS idle, after each of
# three 20 s wrk c16 runs of one exact hit, and the live heap after a full GC with the largest classes.
#   scripts/bench/edge-memory.sh JAR OUT        (needs wrk; ports 18510-18513)
# EDGE_OPTS adds JVM options to the edge's (e.g. -XX:NativeMemoryTracking=summary, whose summary is then
# printed at the end), EDGE_ENV environment settings (e.g. MALLOC_ARENA_MAX=2).
set -uo pipefail
J=$(realpath "$1"); O=$(realpath -m "$2"); HERE=$(cd "$(dirname "$0")" && pwd)
rm -rf "$O"; mkdir -p "$O"; cd "$O"
trap 'kill ${EDGE:-} ${ALL:-} ${SIM:-} 2>/dev/null' EXIT
java -jar "$J" sim --port 18513 --first-token-ms 50 --tokens-per-second 500 --answer-tokens 40 > sim.log 2>&1 & SIM=$!
EDGECHAT_EDGE_TOKEN=bench-edge-token EDGECHAT_ORIGIN_INTERNAL_PORT=18511 EDGECHAT_HTTP_PORT=18512 EDGECHAT_DATA_DIR="$O/data" EDGECHAT_LLM_BASE_URL=http://127.0.0.1:18513/v1 EDGECHAT_LLM_API_KEY=sim EDGECHAT_LIMITS_ENABLED=false java -jar "$J" all > all.log 2>&1 & ALL=$!
for i in $(seq 90); do grep -q "edge ready" all.log && break; sleep 1; done
EDGECHAT_HTTP_PORT=18510 EDGECHAT_ORIGIN_URL=http://127.0.0.1:18511 EDGECHAT_EDGE_TOKEN=bench-edge-token EDGECHAT_DATA_DIR="$O/edata" EDGECHAT_LLM_API_KEY=unused EDGECHAT_LIMITS_ENABLED=false env ${EDGE_ENV:-} java -XX:+UseSerialGC -Xms32m -Xmx512m -Xmn16m -XX:MaxDirectMemorySize=128m ${EDGE_OPTS:-} -jar "$J" edge > edge.log 2>&1 & EDGE=$!
for i in $(seq 90); do curl -sf http://127.0.0.1:18510/readyz >/dev/null && break; sleep 1; done; sleep 8
echo "idle $(grep VmRSS /proc/$EDGE/status)"
if [[ "${EDGE_OPTS:-}" == *NativeMemoryTracking* ]]; then jcmd $EDGE VM.native_memory summary | grep -E "committed" | head -30; fi
Q="Which browsers does the widget support on mobile?"
curl -s -XPOST -H 'Content-Type: application/json' -H 'Accept: text/event-stream' -d "{\"site\":\"demo\",\"message\":\"$Q\"}" http://127.0.0.1:18510/v1/chat > /dev/null
for r in 1 2 3; do
  echo "run $r $(QUESTION="$Q" wrk -t2 -c16 -d20s --latency -s "$HERE/chat-hit.lua" http://127.0.0.1:18510 | grep -E "Requests/sec|^ +99%" | tr -s " " | tr "\n" " ") $(grep VmRSS /proc/$EDGE/status)"
done
jcmd $EDGE GC.run > /dev/null; sleep 1
echo "live after full GC: $(jcmd $EDGE GC.heap_info | grep -E 'tenured|def new' | tr -s ' ' | cut -c1-80 | tr '\n' ';')"
jcmd $EDGE GC.class_histogram | sed -n 4,${HISTO_LINES:-10}p
echo "after full GC $(grep VmRSS /proc/$EDGE/status)"
if [[ "${EDGE_OPTS:-}" == *NativeMemoryTracking* ]]; then jcmd $EDGE VM.native_memory summary | grep -E "committed" | head -30; fi
grep -E "RssAnon|RssFile" /proc/$EDGE/status
kill $EDGE $ALL $SIM; wait 2>/dev/null
rm -rf "$O/data" "$O/edata"   # embedded Postgres and Redis: over a gigabyte a run
