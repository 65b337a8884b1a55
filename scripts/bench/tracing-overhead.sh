#!/usr/bin/env bash
# Tracing's overhead (docs/benchmarks.md, Traces): hit throughput (wrk) and miss added first token
# (bench) of role all with tracing off and on (tracing.sampleRatio 0.1, spans sent to a sink), runs
# alternating off, on, off, on, off, on, each in a process of its own. Needs target/edgechat.jar and wrk.
# Usage: scripts/bench/tracing-overhead.sh [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${1:-bench-results/tracing}
EDGE_PORT=${EDGE_PORT:-18382}; SIM_PORT=${SIM_PORT:-19392}; SINK_PORT=${SINK_PORT:-14318}
HIT_SECONDS=${HIT_SECONDS:-10}; MISS_REQUESTS=${MISS_REQUESTS:-100}
mkdir -p "$OUT"
java -jar target/edgechat.jar sim --port "$SIM_PORT" --first-token-ms 300 --tokens-per-second 40 --answer-tokens 30 \
  > "$OUT/sim.log" 2>&1 & SIM=$!
python3 scripts/bench/otlp-sink.py "$SINK_PORT" > "$OUT/sink.log" 2>&1 & SINK=$!
trap 'kill $SIM $SINK 2>/dev/null || true' EXIT
for run in off-1 on-1 off-2 on-2 off-3 on-3; do
  data=$(mktemp -d)
  tracing=()
  if [[ $run == on-* ]]; then
    tracing=(EDGECHAT_TRACING_OTLP_ENDPOINT=http://127.0.0.1:$SINK_PORT EDGECHAT_TRACING_SAMPLE_RATIO=0.1)
  fi
  env "${tracing[@]}" EDGECHAT_DATA_DIR="$data" EDGECHAT_HTTP_PORT="$EDGE_PORT" \
    EDGECHAT_LLM_BASE_URL=http://127.0.0.1:$SIM_PORT/v1 EDGECHAT_LLM_API_KEY=sim \
    EDGECHAT_LIMITS_ENABLED=false java -jar target/edgechat.jar all > "$OUT/$run-server.log" 2>&1 & APP=$!
  for _ in $(seq 180); do grep -q "edge ready" "$OUT/$run-server.log" && break; sleep 1; done
  curl -s -XPOST -H 'Content-Type: application/json' -H 'Accept: text/event-stream' \
    -d '{"site":"demo","message":"How do I reset my password?"}' "http://127.0.0.1:$EDGE_PORT/v1/chat" > /dev/null
  wrk -t2 -c16 -d10s -s scripts/bench/chat-hit.lua "http://127.0.0.1:$EDGE_PORT" > /dev/null   # warm-up (JIT)
  wrk -t2 -c16 -d"${HIT_SECONDS}s" --latency -s scripts/bench/chat-hit.lua "http://127.0.0.1:$EDGE_PORT" > "$OUT/$run-hit.txt"
  java -jar target/edgechat.jar bench --target "http://127.0.0.1:$EDGE_PORT" --sim "http://127.0.0.1:$SIM_PORT" \
    --requests "$MISS_REQUESTS" --warmup 20 --concurrency 4 --out "$OUT/$run-miss" > "$OUT/$run-bench.log" 2>&1
  kill $APP; wait $APP || true
  rm -rf "$data"
  echo "$run: $(grep Requests/sec "$OUT/$run-hit.txt")"
done
