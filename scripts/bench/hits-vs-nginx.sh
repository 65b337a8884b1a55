#!/usr/bin/env bash
# Exact cache hits (wrk c16, scripts/bench/chat-hit.lua) against nginx serving the same bytes as a
# static file, alternating, for one or more builds (issue 20; docs/benchmarks.md, "Exact hits vs nginx").
#
#   scripts/bench/hits-vs-nginx.sh OUT NAME=JAR [NAME=JAR ...]
#
# Each build runs as role `all` (sim as its LLM, abuse limits off unless LIMITS=true) on its own
# ports; the first build's hit, saved with curl, is nginx's file. Then ROUNDS rounds (default 3) of
# one DURATION-second run (default 20) per system in a fixed order (nginx, then each build), after a
# WARMUP-second warm-up of each (default 30). One line per run in OUT/runs.tsv with the load average
# and the CPU time the server's processes took per request (nginx: master and workers; a build: its
# JVM, and apart its embedded Postgres and Redis, which save the hits' records), from /proc. Then,
# per build, one more run under JFR (settings=default) for the bytes its threads allocated per
# request (OUT/alloc.tsv; the recordings stay in OUT/NAME.jfr).
# JVM_OPTS adds JVM options to every build; JVM_OPTS_NAME (NAME with '-' as '_') to that build's only, e.g.
# JVM_OPTS_tight="-XX:+UseSerialGC -Xmn16m" to compare heap settings on one jar.
# A NAME ending in -limits runs with the abuse limits on, no per-minute limit, so that each request
# still takes the site's budget window in Redis (the limits' round trip, measured apart).
# Needs wrk and nginx (apt-get install -y wrk nginx-light); stops everything it started.
set -euo pipefail
OUT=$1; shift
ROUNDS=${ROUNDS:-3}; DURATION=${DURATION:-20}; WARMUP=${WARMUP:-30}; LIMITS=${LIMITS:-false}
export QUESTION=${QUESTION:-"Which browsers does the widget support on mobile?"}
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$OUT/nginx/www/v1"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -f "$OUT/nginx/nginx.pid" ] && kill "$(cat "$OUT/nginx/nginx.pid")" 2>/dev/null || true
}
trap cleanup EXIT

names=(); ports=(); port=18800
for spec in "$@"; do
  name=${spec%%=*}; jar=${spec#*=}
  java -jar "$jar" sim --port $((port + 1)) --first-token-ms 50 --tokens-per-second 500 --answer-tokens 40 \
    > "$OUT/sim-$name.log" 2>&1 &
  PIDS+=($!)
  limits=$LIMITS; case $name in *-limits) limits=true ;; esac
  own_opts=JVM_OPTS_${name//-/_}
  EDGECHAT_LIMITS_IP_CHATS_PER_MINUTE=0 EDGECHAT_LIMITS_VISITOR_CHATS_PER_MINUTE=0 \
  EDGECHAT_DATA_DIR="$OUT/data-$name" EDGECHAT_LIMITS_ENABLED=$limits EDGECHAT_LLM_BASE_URL=http://127.0.0.1:$((port + 1))/v1 EDGECHAT_LLM_API_KEY=sim \
    EDGECHAT_HTTP_PORT=$port java ${JVM_OPTS:-} ${!own_opts:-} -jar "$jar" all > "$OUT/all-$name.log" 2>&1 &
  PIDS+=($!)
  echo "$!" > "$OUT/all-$name.pid"
  for _ in $(seq 240); do   # one at a time: embedded Postgres starting on a loaded machine
    grep -q 'edge ready' "$OUT/all-$name.log" && break
    kill -0 "$(cat "$OUT/all-$name.pid")" 2>/dev/null || { echo "$name did not start: $OUT/all-$name.log" >&2; exit 1; }
    sleep 1
  done
  names+=("$name"); ports+=("$port"); port=$((port + 10))
done
for i in "${!names[@]}"; do
  ask() {
    curl -s -XPOST -H 'Content-Type: application/json' -H 'Accept: text/event-stream' \
      -d "{\"site\":\"demo\",\"message\":\"$QUESTION\"}" "http://127.0.0.1:${ports[$i]}/v1/chat"
  }
  ask > /dev/null                                   # the miss that fills the cache
  ask > "$OUT/hit-${names[$i]}.txt"
  grep -q '"cache":"hit"' "$OUT/hit-${names[$i]}.txt" || { echo "no hit from ${names[$i]}" >&2; exit 1; }
done
cp "$OUT/hit-${names[0]}.txt" "$OUT/nginx/www/v1/chat"
sed "s/127.0.0.1:8081/127.0.0.1:18881/" "$HERE/nginx-static.conf" > "$OUT/nginx.conf"
/usr/sbin/nginx -p "$OUT/nginx" -c "$OUT/nginx.conf"
sleep 1

url_of() { [ "$1" = nginx ] && echo http://127.0.0.1:18881 || echo "http://127.0.0.1:${ports[$2]}"; }
for i in "${!names[@]}"; do
  CHECK=1 wrk -t2 -c16 -d5s -s "$HERE/chat-hit.lua" "$(url_of x "$i")" 2> "$OUT/check-${names[$i]}.txt" > /dev/null
  [ -s "$OUT/check-${names[$i]}.txt" ] && { echo "not every response of ${names[$i]} is a hit:" >&2; head -3 "$OUT/check-${names[$i]}.txt" >&2; exit 1; }
  wrk -t2 -c16 -d"${WARMUP}s" -s "$HERE/chat-hit.lua" "$(url_of x "$i")" > /dev/null
done
wrk -t2 -c16 -d10s -s "$HERE/chat-hit.lua" "$(url_of nginx)" > /dev/null
# CPU ticks (utime + stime) of a process and its descendants; $2 = 1: descendants only
ticks() {
  local root=$1 only_children=${2:-0} sum=0 p
  local all=$(ps -o pid= --ppid "$root" 2>/dev/null; for c in $(ps -o pid= --ppid "$root" 2>/dev/null); do ps -o pid= --ppid "$c"; done)
  [ "$only_children" = 1 ] || all="$root $all"
  for p in $all; do
    [ -r /proc/$p/stat ] && sum=$((sum + $(awk '{print $14 + $15}' /proc/$p/stat)))
  done
  echo $sum
}
HZ=$(getconf CLK_TCK)
printf 'round\tsystem\tload1\tp50_ms\tp99_ms\tp999_ms\treq_s\tcpu_us_per_req\tchildren_cpu_us_per_req\n' > "$OUT/runs.tsv"
for r in $(seq "$ROUNDS"); do
  for sys in nginx "${!names[@]}"; do
    if [ "$sys" = nginx ]; then label=nginx; pid=$(cat "$OUT/nginx/nginx.pid"); else label=${names[$sys]}; pid=$(cat "$OUT/all-$label.pid"); fi
    load=$(cut -d' ' -f1 /proc/loadavg)
    t0=$(ticks "$pid"); c0=$(ticks "$pid" 1)
    line=$(wrk -t2 -c16 -d"${DURATION}s" --latency -s "$HERE/chat-hit.lua" "$(url_of "$sys" "$sys")" | tail -1)
    t1=$(ticks "$pid"); c1=$(ticks "$pid" 1)
    # "p50 0.31 ms, p99 11.11 ms, p99.9 20.00 ms, 38520 req/s"
    set -- $line
    reqs=$(awk -v r="${10}" -v d="$DURATION" 'BEGIN{printf "%d", r * d}')
    cpu=$(awk -v t=$((t1 - t0)) -v n="$reqs" -v hz="$HZ" 'BEGIN{printf "%.1f", t / hz * 1e6 / n}')
    kids=$(awk -v t=$((c1 - c0)) -v n="$reqs" -v hz="$HZ" 'BEGIN{printf "%.1f", t / hz * 1e6 / n}')
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "$label" "$load" "$2" "$5" "$8" "${10}" "$cpu" "$kids" | tee -a "$OUT/runs.tsv"
  done
done
printf 'system\treq_s\tallocated_MB\tbytes_per_req\n' > "$OUT/alloc.tsv"
for i in "${!names[@]}"; do
  pid=$(cat "$OUT/all-${names[$i]}.pid")
  jcmd "$pid" JFR.start name=alloc settings=default filename="$OUT/${names[$i]}.jfr" > /dev/null
  line=$(wrk -t2 -c16 -d"${DURATION}s" -s "$HERE/chat-hit.lua" "$(url_of x "$i")" | tail -1)
  jcmd "$pid" JFR.stop name=alloc > /dev/null
  set -- $line
  jfr print --json --events jdk.ThreadAllocationStatistics "$OUT/${names[$i]}.jfr" | python3 -c '
import json, sys
first, last = {}, {}
for e in json.load(sys.stdin)["recording"]["events"]:
    v = e["values"]; t = (v.get("thread") or {}).get("javaThreadId")
    first.setdefault(t, v["allocated"]); last[t] = v["allocated"]
total = sum(last[t] - first[t] for t in last)
name, rps, d = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
print(f"{name}\t{rps:.0f}\t{total / 1e6:.0f}\t{total / (rps * d):.0f}")' "${names[$i]}" "${10}" "$DURATION" \
    | tee -a "$OUT/alloc.tsv"
done
