// Independent client (Node's http, nothing of the project's) for the OpenAI-compatible path: streamed
// POST /v1/chat/completions, closed loop, each stream read to its end. Times the first chunk with
// non-empty delta content and the whole stream; counts completed streams per second.
// usage: node scripts/bench/gateway-load.mjs <label> <baseUrl> <requests> <concurrency> [key]
//   with a key (the gateway): Authorization: Bearer <key> and X-Edgechat-Cache: bypass, so every
//   request goes upstream; without (the sim direct, or nginx in front of it): Bearer sim.
import http from 'node:http';
const [label, base, nReq, conc, key] = [process.argv[2], process.argv[3], +process.argv[4], +process.argv[5], process.argv[6]];
const agent = new http.Agent({ keepAlive: true, maxSockets: conc });
const tag = Math.random().toString(36).slice(2, 8);
const headers = { 'Content-Type': 'application/json', 'Accept': 'text/event-stream',
  'Authorization': `Bearer ${key || 'sim'}` };
if (key) headers['X-Edgechat-Cache'] = 'bypass';
function one(i) {
  return new Promise((resolve) => {
    const body = JSON.stringify({ model: 'sim', stream: true,
      messages: [{ role: 'user', content: `Question ${i} of run ${tag}: how do I reset my password?` }] });
    const t0 = process.hrtime.bigint();
    let first = null, buf = '', done = false;
    const req = http.request(new URL('/v1/chat/completions', base), { method: 'POST', agent, headers }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (d) => {
        buf += d;
        if (first === null && /"content":"[^"]/.test(buf)) first = process.hrtime.bigint();
        if (buf.includes('data: [DONE]')) done = true;
        if (first !== null && buf.length > 256) buf = buf.slice(-64);
      });
      res.on('end', () => resolve({ ok: res.statusCode === 200 && done && first !== null,
        first: first === null ? null : Number(first - t0) / 1e6, total: Number(process.hrtime.bigint() - t0) / 1e6 }));
    });
    req.on('error', () => resolve({ ok: false }));
    req.end(body);
  });
}
const pct = (a, p) => { const s = [...a].sort((x, y) => x - y); return s[Math.min(s.length - 1, Math.ceil(p / 100 * s.length) - 1)]; };
const warm = Math.min(Math.max(conc * 4, 100), nReq);
let next = 0, errors = 0, measuredStart = null; const firsts = [], totals = [];
async function worker() {
  while (next < nReq + warm) {
    const i = next++;
    if (i === warm) measuredStart = process.hrtime.bigint();
    const r = await one(i);
    if (i < warm) continue;
    if (!r.ok) errors++; else { firsts.push(r.first); totals.push(r.total); }
  }
}
await Promise.all(Array.from({ length: conc }, () => worker()));
const seconds = Number(process.hrtime.bigint() - measuredStart) / 1e9;
console.log(JSON.stringify({ label, concurrency: conc, sent: nReq + warm, n: firsts.length, errors, seconds: +seconds.toFixed(2),
  throughput: +(firsts.length / seconds).toFixed(1), p50: pct(firsts, 50), p99: pct(firsts, 99),
  totalP50: pct(totals, 50), totalP99: pct(totals, 99) }));
agent.destroy();
