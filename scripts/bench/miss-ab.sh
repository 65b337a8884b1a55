#!/bin/bash
# The miss path's A/B, alternating (after miss-ab-start.sh): per round, the project's bench against A then B,
# then the independent Node client (first-token.mjs) against A, B and the sim direct; 3 rounds.
# Writes $OUT/bench-{A,B}-N/first-token.md, $OUT/node.jsonl, and the load average before each bench to $OUT/load.txt.
OUT=${OUT:-bench-results/miss-ab}; JAR=${AFTER_JAR:?jar that runs the bench}
for r in 1 2 3; do
  for x in A:18382 B:18383; do IFS=: read n port <<< "$x"
    echo "$(date -u +%T) $n round $r $(cat /proc/loadavg)" >> "$OUT/load.txt"
    java -jar "$JAR" bench --target http://127.0.0.1:$port --sim http://127.0.0.1:19392 --requests 400 --concurrency 4 \
      --out "$OUT/bench-$n-$r" > "$OUT/bench-$n-$r.log" 2>&1
  done
  for x in A:edge:18382 B:edge:18383 sim:sim:19392; do IFS=: read n kind port <<< "$x"
    node "$(dirname "$0")/first-token.mjs" "$n-$r" $kind http://127.0.0.1:$port 100 4 >> "$OUT/node.jsonl"
  done
done
