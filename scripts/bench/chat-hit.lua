-- wrk script: POST /v1/chat as the widget does (SSE), the same question every time, so that
-- after the first request every one is an exact cache hit (L1). Usage in docs/benchmarks.md.
--   wrk -t2 -c16 -d20s --latency -s scripts/bench/chat-hit.lua http://127.0.0.1:8080
-- QUESTION and SITE may be set in the environment.
local question = os.getenv("QUESTION") or "How do I reset my password?"
local site = os.getenv("SITE") or "demo"
wrk.method = "POST"
wrk.body = '{"site":"' .. site .. '","message":"' .. question .. '"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "text/event-stream"
wrk.path = "/v1/chat"

-- CHECK=1: print every response that is not an exact hit (costs the generator some speed: wrk
-- then hands each body to Lua). The first request of a fresh process is a miss.
if os.getenv("CHECK") then
  function response(status, headers, body)
    if status ~= 200 or not string.find(body, '"cache":"hit"', 1, true) then
      io.stderr:write("not a hit: " .. status .. " " .. body .. "\n")
    end
  end
end

function done(summary, latency, requests)
  io.write(string.format("p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, %.0f req/s\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency:percentile(99.9) / 1000,
    summary.requests / (summary.duration / 1e6)))
end
