// Independent client (Node's http, not the project's bench): time to first SSE token,
// edge `POST /v1/chat` (first `event: token`) vs the sim direct (first chat.completion.chunk with content).
// usage: node scripts/bench/first-token.mjs <label> <kind edge|sim> <baseUrl> <requests> <concurrency>
import http from 'node:http';
const [label, kind, base, nReq, conc] = [process.argv[2], process.argv[3], process.argv[4], +process.argv[5], +process.argv[6]];
const agent = new http.Agent({ keepAlive: true, maxSockets: conc });
const tag = Math.random().toString(36).slice(2, 8);
const questions = ['How do I reset my password?', 'What are your opening hours?', 'Do you ship abroad?',
  'How can I return an item?', 'Which payment methods do you accept?'];
function one(i) {
  return new Promise((resolve) => {
    const q = `${questions[i % questions.length]} (${tag} ${i})`;
    const url = new URL(kind === 'edge' ? '/v1/chat' : '/v1/chat/completions', base);
    const body = kind === 'edge' ? JSON.stringify({ site: 'demo', message: q })
      : JSON.stringify({ model: 'sim', stream: true, messages: [{ role: 'user', content: q }] });
    const t0 = process.hrtime.bigint();
    let first = null, ready = null, buf = '';
    const req = http.request(url, { method: 'POST', agent, headers: { 'Content-Type': 'application/json',
      'Accept': 'text/event-stream', 'Authorization': 'Bearer sim' } }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (d) => {
        if (first !== null) return;
        buf += d;
        const now = process.hrtime.bigint();
        if (ready === null && buf.includes('event: ready')) ready = now;
        if (kind === 'edge' ? buf.includes('event: token') : /"content":"[^"]/.test(buf)) first = now;
      });
      res.on('end', () => resolve({ status: res.statusCode, first: first === null ? null : Number(first - t0) / 1e6,
        ready: ready === null ? null : Number(ready - t0) / 1e6 }));
    });
    req.on('error', () => resolve({ status: 0, first: null }));
    req.end(body);
  });
}
const pct = (a, p) => { const s = [...a].sort((x, y) => x - y); return s[Math.min(s.length - 1, Math.ceil(p / 100 * s.length) - 1)]; };
let next = 0; const firsts = [], readies = []; let errors = 0;
const warm = Math.min(20, nReq);
async function worker(list) { while (next < nReq + warm) { const i = next++; const r = await one(i);
  if (i < warm) continue; if (r.first === null) errors++; else { firsts.push(r.first); if (r.ready !== null) readies.push(r.ready); } } }
await Promise.all(Array.from({ length: conc }, () => worker()));
const out = { label, kind, n: firsts.length, errors, p50: pct(firsts, 50), p99: pct(firsts, 99),
  readyP50: readies.length ? pct(readies, 50) : null, readyP99: readies.length ? pct(readies, 99) : null };
console.log(JSON.stringify(out));
agent.destroy();
