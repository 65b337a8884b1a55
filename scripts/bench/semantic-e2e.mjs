// The semantic cache measured end to end through a running edge, as issue 19 measured it: for each
// labeled pair, ask the first question, then the second, and read `cache` of the second answer
// ("semantic" is a hit by meaning). An independent client (Node's http, not the project's code).
//
// usage: node scripts/bench/semantic-e2e.mjs <edge base URL> <admin token> <pairs.tsv> [pair|domain] [--quiet]
//   pair   (default) each pair in a site of its own: the matcher's decision on that pair alone
//   domain the pairs of one domain share a site: a second question may also meet another pair's
//          question, as on a real site
//   --quiet prints no pair's text (for a held-out set)
// The edge needs an admin token (EDGECHAT_ADMIN_TOKEN) and an upstream (the sim does); sites are
// created as e2e-<run>-<n>. Prints precision and recall of semantic hits with Wilson 95 % intervals.
import http from 'node:http';
import fs from 'node:fs';

const [base, token, file] = process.argv.slice(2, 5);
const per = process.argv.includes('domain') ? 'domain' : 'pair';
const quiet = process.argv.includes('--quiet');
const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
const SETTLE_MS = 100;
const run = Math.random().toString(36).slice(2, 7);

function request(method, path, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(new URL(path, base), { method, agent, headers: { 'Content-Type': 'application/json',
      'Accept': 'application/json', ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode, text }));
    });
    req.on('error', reject);
    if (data !== undefined) req.write(data);
    req.end();
  });
}

function pairs(text) {
  const out = [];
  let block = 'default';
  for (const line of text.split('\n')) {
    const s = line.trim();
    if (s.startsWith('# block:')) block = s.slice(8).trim().split(/\s/)[0];
    if (!s || s.startsWith('#') || s.startsWith('label\t')) continue;
    const c = line.split('\t');
    out.push({ same: c[0] === 'same', a: c[1].trim(), b: c[2].trim(), kind: c[3].trim(),
      domain: c.length >= 5 && c[4].trim() ? c[4].trim() : block });
  }
  return out;
}

async function site(id) {
  const res = await request('PUT', `/admin/sites/${id}`, { name: id, allowedOrigins: ['*'] },
    { Authorization: `Bearer ${token}` });
  if (res.status !== 200) throw new Error(`PUT /admin/sites/${id}: ${res.status} ${res.text}`);
}

async function ask(siteId, message) {
  const res = await request('POST', '/v1/chat', { site: siteId, message });
  if (res.status !== 200) throw new Error(`chat: ${res.status} ${res.text}`);
  return JSON.parse(res.text).cache;
}

function wilson(k, n) {
  if (n === 0) return [0, 1];
  const z = 1.959964, p = k / n, z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = z * Math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n);
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

const all = pairs(fs.readFileSync(file, 'utf8'));
const sites = new Map();
let tp = 0, fp = 0, positives = 0, exact = 0, failed = 0;
const byKind = new Map();
for (let i = 0; i < all.length; i++) {
  const p = all[i];
  const key = per === 'pair' ? `e2e-${run}-${i}` : `e2e-${run}-${p.domain}`.slice(0, 60);
  if (!sites.has(key)) { await site(key); sites.set(key, true); }
  let second;
  try {
    await ask(key, p.a);
    // the edge indexes an answer's question by meaning after the answer ends, on a worker: a
    // visitor's next question comes later than this anyway
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    second = await ask(key, p.b);
  } catch (e) {
    failed++;
    console.error(`pair ${i + 1}: ${e.message}`);
    continue;
  }
  const hit = second === 'semantic';
  if (second === 'hit') exact++;
  positives += p.same ? 1 : 0;
  tp += hit && p.same ? 1 : 0;
  fp += hit && !p.same ? 1 : 0;
  const k = byKind.get(p.kind) ?? { pairs: 0, same: 0, hits: 0, wrong: 0 };
  k.pairs++; k.same += p.same ? 1 : 0; k.hits += hit && p.same ? 1 : 0; k.wrong += hit && !p.same ? 1 : 0;
  byKind.set(p.kind, k);
  if (!quiet && hit !== p.same) console.log(`${p.same ? 'missed' : 'WRONG HIT'} [${p.domain}/${p.kind}] ${p.a} | ${p.b}`);
}
const hits = tp + fp;
const pi = wilson(tp, hits), ri = wilson(tp, positives);
console.log(`${file}: ${all.length} pairs (${positives} same), one site per ${per}; ${failed} failed, ${exact} exact hits`);
console.log(`semantic hits: precision ${(hits ? tp / hits : 1).toFixed(3)} [${pi[0].toFixed(3)}, ${pi[1].toFixed(3)}]`
  + ` recall ${(positives ? tp / positives : 0).toFixed(3)} [${ri[0].toFixed(3)}, ${ri[1].toFixed(3)}]`
  + ` (${tp} true, ${fp} wrong hits)`);
console.log('by kind: pairs, same, true hits, wrong hits');
for (const [kind, k] of [...byKind].sort()) console.log(`  ${kind.padEnd(14)} ${k.pairs} ${k.same} ${k.hits} ${k.wrong}`);
