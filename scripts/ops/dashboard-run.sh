#!/usr/bin/env bash
# A real run for the dashboard: one `edgechat.jar all` (region fra, embedded Postgres and Redis) with the
# `sim` role as its model, Prometheus (Debian's package) scraping its operations port every 5 s, a few
# minutes of mixed load from `edgechat.jar bench` (exact hits, semantic hits, misses), and two faults so
# the error panels have something to show (the model upstream stopped for 40 s, one visitor over its chat
# limit). Then every query of ops/grafana/edgechat.json is checked against Prometheus, the plan's figures
# are queried over the run, and the panels are rendered to docs/dashboard-real-data.png
# (scripts/ops/dashboard-snapshot.mjs; Grafana itself cannot run here). docs/observability.md, "Dashboard".
#
#   mvn -o -B -q package -DskipTests && bash scripts/ops/dashboard-run.sh
#
# Needs: target/edgechat.jar, /usr/bin/prometheus (apt-get install prometheus), node 18+, curl,
# /usr/bin/chromium (scripts/install-chromium.sh). Settings (environment): LOAD_SECONDS (420), OUTAGE_AT
# (150: seconds into the load), OUTAGE_SECONDS (40), OUT (docs/dashboard-real-data.png), WORK (a new
# folder under /tmp: logs, Prometheus' data, bench reports, check.tsv, figures.txt; left for reading).
# Ports 18910 (edge), 18919 (operations port), 18911 (sim), 19090 (Prometheus) must be free.
# Everything this starts is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/../.."

JAR=target/edgechat.jar
LOAD_SECONDS=${LOAD_SECONDS:-420}
OUTAGE_AT=${OUTAGE_AT:-150}
OUTAGE_SECONDS=${OUTAGE_SECONDS:-40}
OUT=${OUT:-docs/dashboard-real-data.png}
WORK=${WORK:-$(mktemp -d /tmp/edgechat-dashboard.XXXXXX)}
EDGE=18910 OPS=18919 SIM=18911 PROM=19090
SIM_FLAGS=(--port=$SIM --first-token-ms=300 --tokens-per-second=100 --answer-tokens=30 --error-rate=0.02)
mkdir -p "$WORK"

for need in "$JAR" /usr/bin/prometheus; do
  [ -e "$need" ] || { echo "dashboard-run: $need is missing (see the head of this script)" >&2; exit 1; }
done
for port in $EDGE $OPS $SIM $PROM; do
  if (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; then
    echo "dashboard-run: port $port is in use; stop what listens there first" >&2
    exit 1
  fi
done

PIDS=()
stop_all() {
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
}
trap stop_all EXIT

start_sim() {
  java -jar "$JAR" sim "${SIM_FLAGS[@]}" >>"$WORK/sim.log" 2>&1 &
  SIM_PID=$!
  PIDS+=("$SIM_PID")
}

wait_for() { # url seconds
  local deadline=$(( $(date +%s) + $2 ))
  until curl -sf -o /dev/null "$1"; do
    [ "$(date +%s)" -lt "$deadline" ] || { echo "dashboard-run: $1 did not answer within $2 s (logs in $WORK)" >&2; exit 1; }
    sleep 1
  done
}

cat >"$WORK/prometheus.yml" <<EOF
global:
  scrape_interval: 5s
  evaluation_interval: 5s
scrape_configs:
  - job_name: edgechat
    metrics_path: /metrics
    static_configs:
      - targets: ['127.0.0.1:$OPS']
EOF

start_sim
EDGECHAT_LLM_BASE_URL=http://127.0.0.1:$SIM/v1 EDGECHAT_LLM_API_KEY=sim EDGECHAT_ADMIN_TOKEN=dashboard-run \
  EDGECHAT_HTTP_PORT=$EDGE EDGECHAT_HTTP_METRICS_PORT=$OPS EDGECHAT_REGION=fra \
  EDGECHAT_LIMITS_IP_CHATS_PER_MINUTE=100000 EDGECHAT_DATA_DIR="$WORK/data" \
  java -jar "$JAR" all >"$WORK/all.log" 2>&1 &
PIDS+=($!)
prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/tsdb" \
  --web.listen-address=127.0.0.1:$PROM >"$WORK/prometheus.log" 2>&1 &
PIDS+=($!)
wait_for "http://127.0.0.1:$SIM/healthz" 120
wait_for "http://127.0.0.1:$OPS/readyz" 180
wait_for "http://127.0.0.1:$PROM/-/ready" 60

BENCH=(java -jar "$JAR" bench --target=http://127.0.0.1:$EDGE --warmup=0)
# The ten questions the edge will have cached, and paraphrases of five of them (semantic hits each time:
# a semantic hit is not stored under the paraphrase).
CACHED=(--question="How do I reset my password?" --question="Do you ship to Canada?"
  --question="What does express delivery cost?" --question="How do I cancel my subscription?"
  --question="Which payment methods do you accept?" --question="Can I return a gift card?"
  --question="How long does a refund take?" --question="Where can I track my order?"
  --question="How can I reset my password?" --question="Could you ship my order to Canada?"
  --question="What is the price of express delivery?" --question="How do I end my subscription?"
  --question="How many days until I get my refund?")

START=$(date +%s)
END_LOAD=$(( START + LOAD_SECONDS ))
echo "dashboard-run: load from $(date -u -d @"$START" +%T) for $LOAD_SECONDS s; work folder $WORK"

misses() { # unique questions (the bench numbers them): every one a miss, one at a time
  while [ "$(date +%s)" -lt "$END_LOAD" ]; do
    "${BENCH[@]}" --requests=40 --concurrency=1 --out="$WORK/bench-miss" >>"$WORK/bench-miss.log" 2>&1 || true
  done
}
cached() { # the questions above verbatim, two at a time, in bursts of 20 to 59 with pauses
  local i=0
  while [ "$(date +%s)" -lt "$END_LOAD" ]; do
    i=$((i + 1))
    "${BENCH[@]}" --verbatim --requests=$(( 20 + (i * 7) % 40 )) --concurrency=2 --out="$WORK/bench-cached" \
      "${CACHED[@]}" >>"$WORK/bench-cached.log" 2>&1 || true
    sleep $(( 3 + i % 5 ))
  done
}
misses &
MISSES_PID=$!
cached &
CACHED_PID=$!
PIDS+=("$MISSES_PID" "$CACHED_PID")

sleep "$OUTAGE_AT"
OUTAGE_FROM=$(date -u +%T)
kill "$SIM_PID"
wait "$SIM_PID" 2>/dev/null || true
sleep "$OUTAGE_SECONDS"
start_sim
OUTAGE_TO=$(date -u +%T)
wait_for "http://127.0.0.1:$SIM/healthz" 60
sleep 30
BURST_AT=$(date -u +%T)
for _ in $(seq 1 30); do # limits.visitorChatsPerMinute is 20: the last 10 get 429
  curl -s -o /dev/null -w '%{http_code} ' -H 'Content-Type: application/json' -H 'Accept: text/event-stream' \
    -d '{"site":"demo","message":"Do you ship to Canada?","visitor":"dashboard-run-visitor"}' \
    "http://127.0.0.1:$EDGE/v1/chat" >>"$WORK/burst.txt"
done
wait "$MISSES_PID" "$CACHED_PID" || true
END=$(date +%s)
sleep 6 # one more scrape

NOTE="one role all (fra) + sim, bench mixed load; sim stopped $OUTAGE_FROM–$OUTAGE_TO; one visitor over its limit $BURST_AT"
node scripts/ops/dashboard-snapshot.mjs --check --prometheus=http://127.0.0.1:$PROM --start="$START" --end="$END" \
  | tee "$WORK/check.tsv"
node scripts/ops/dashboard-snapshot.mjs --prometheus=http://127.0.0.1:$PROM --start="$START" --end="$END" \
  --out="$OUT" --html="$WORK/dashboard.html" --note="$NOTE"

RANGE=$(( END - START ))
ANSWERED='cache!~"error|abandoned|failed"'
{
  echo "run: $(date -u -d @"$START" +%FT%TZ) – $(date -u -d @"$END" +%FT%TZ) ($RANGE s); $NOTE"
  for q in \
    "histogram_quantile(0.95, sum by (le) (rate(edgechat_chat_done_seconds_bucket{$ANSWERED}[${RANGE}s])))" \
    "sum(rate(edgechat_chat_done_seconds_sum{$ANSWERED}[${RANGE}s])) / sum(rate(edgechat_chat_done_seconds_count{$ANSWERED}[${RANGE}s]))" \
    "histogram_quantile(0.95, sum by (le, cache) (rate(edgechat_chat_first_token_seconds_bucket[${RANGE}s])))" \
    "sum by (cache) (rate(edgechat_chat_first_token_seconds_sum[${RANGE}s])) / sum by (cache) (rate(edgechat_chat_first_token_seconds_count[${RANGE}s]))" \
    "histogram_quantile(0.95, sum by (le, gen_ai_request_model) (rate(gen_ai_server_time_to_first_token_seconds_bucket[${RANGE}s])))" \
    "sum(rate(edgechat_chat_done_seconds_count{cache=~\"hit|semantic\"}[${RANGE}s])) / sum(rate(edgechat_chat_done_seconds_count[${RANGE}s]))" \
    "sum by (cache) (edgechat_chat_done_seconds_count)" \
    "sum by (site) (edgechat_cache_saved_calls_total)" \
    "sum by (site) (edgechat_llm_calls_total)" \
    "sum by (site) (edgechat_llm_cost_usd_total)" \
    "sum by (site) (edgechat_cache_saved_cost_usd_total)" \
    "sum by (kind) (edgechat_upstream_errors_total)" \
    "sum by (kind) (edgechat_limits_refused_total)"; do
    result=$(curl -s --get "http://127.0.0.1:$PROM/api/v1/query" --data-urlencode "query=$q" --data-urlencode "time=$END" \
      | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const r=JSON.parse(s);
          console.log(r.status!=="success"?r.error:r.data.result.map(x=>{const l=Object.entries(x.metric)
          .filter(([k])=>!["__name__","instance","job"].includes(k)).map(([k,v])=>k+"="+v).join(",");
          return (l||"all")+": "+x.value[1]}).join("; "))})')
    printf '%s\n  -> %s\n' "$q" "$result"
  done
} | tee "$WORK/figures.txt"
echo "dashboard-run: wrote $OUT; check, figures and logs in $WORK"
