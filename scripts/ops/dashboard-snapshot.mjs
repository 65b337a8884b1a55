#!/usr/bin/env node
// Renders the panels of the Grafana dashboard ops/grafana/edgechat.json from a real Prometheus, and checks
// its queries. Grafana itself cannot run on the machine this was written on (no Debian package, no Docker,
// no download), so this draws each panel's PromQL as Grafana would query it: the same expressions, with
// $region, $__rate_interval, $__interval and $__range filled in the way Grafana fills them, a query_range
// per target, the panels on Grafana's 24-column grid. It is not Grafana's look, only its data.
//
// Usage (Node 18+, no npm packages; the screenshot needs Chromium, `bash scripts/install-chromium.sh`):
//   node scripts/ops/dashboard-snapshot.mjs --prometheus=http://127.0.0.1:9090 \
//     [--start=2026-12-07T05:38:00Z --end=2026-12-07T05:45:00Z]   # default: the dashboard's own range up to now
//     [--dashboard=ops/grafana/edgechat.json] [--out=docs/dashboard-real-data.png] [--html=FILE]
//     [--region=.*] [--scrape-interval=5] [--chromium=/usr/bin/chromium] [--note="the run that fed it"]
//   node scripts/ops/dashboard-snapshot.mjs --check --prometheus=...   # every query through /api/v1/query only
//
// --check prints one line per target: panel, refId, whether Prometheus parsed it, the series it returned at
// --end, and their values; it exits 1 when a query fails to parse. The snapshot mode writes an HTML page
// with one SVG per panel and has Chromium (headless) take its screenshot.

import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const args = Object.fromEntries(process.argv.slice(2).map((a) => {
  const m = /^--([^=]+)(?:=(.*))?$/.exec(a);
  if (!m) {
    throw new Error(`unknown argument '${a}': options are --name=value (see the head of this file)`);
  }
  return [m[1], m[2] ?? 'true'];
}));

const prometheus = (args.prometheus ?? 'http://127.0.0.1:9090').replace(/\/$/, '');
const dashboard = JSON.parse(readFileSync(args.dashboard ?? 'ops/grafana/edgechat.json', 'utf8'));
const region = args.region ?? '.*';
const PAGE_WIDTH = 1600;
const ROW_PX = 40; // one unit of gridPos.h; Grafana uses 30 px plus margins, more leaves room for the table legends
const HEADER_PX = 64;

function parseTime(value, fallback) {
  if (value === undefined) {
    return fallback;
  }
  if (/^\d+(\.\d+)?$/.test(value)) {
    return Number(value);
  }
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) {
    throw new Error(`--start/--end: '${value}' is neither a Unix time nor an ISO-8601 date`);
  }
  return ms / 1000;
}

function parseDuration(text) {
  const m = /^now-(\d+)([smhd])$/.exec(text ?? '');
  if (!m) {
    return 3600;
  }
  return Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[m[2]];
}

async function api(path, params) {
  const url = `${prometheus}${path}?${new URLSearchParams(params)}`;
  const response = await fetch(url);
  const body = await response.json().catch(() => ({ status: 'error', error: `HTTP ${response.status}` }));
  return body;
}

async function scrapeInterval() {
  if (args['scrape-interval']) {
    return Number(args['scrape-interval']);
  }
  const config = await api('/api/v1/status/config', {});
  const m = /scrape_interval:\s*(\d+)(ms|s|m)/.exec(config?.data?.yaml ?? '');
  if (!m) {
    return 15;
  }
  return Number(m[1]) * { ms: 0.001, s: 1, m: 60 }[m[2]];
}

// Grafana's $__interval: the range over the panel's width in points, no shorter than the scrape interval;
// $__rate_interval: max($__interval + scrape interval, 4 x scrape interval).
function intervals(rangeSeconds, widthPx, scrape) {
  const interval = Math.max(scrape, Math.ceil(rangeSeconds / widthPx));
  return { interval, rateInterval: Math.max(interval + scrape, 4 * scrape) };
}

function expand(expr, iv, rangeSeconds) {
  return expr
    .replaceAll('$__rate_interval', `${iv.rateInterval}s`)
    .replaceAll('$__interval', `${iv.interval}s`)
    .replaceAll('$__range', `${Math.round(rangeSeconds)}s`)
    .replaceAll('${region}', region)
    .replaceAll('$region', region);
}

function legendOf(target, metric) {
  if (target.legendFormat) {
    return target.legendFormat.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, label) => metric[label] ?? '');
  }
  const labels = Object.entries(metric).filter(([k]) => k !== '__name__');
  return labels.length ? `{${labels.map(([k, v]) => `${k}="${v}"`).join(', ')}}` : target.expr.slice(0, 60);
}

const num = (v) => {
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
};

function sig(n, digits = 3) {
  if (n === 0) {
    return '0';
  }
  const abs = Math.abs(n);
  if (abs >= 1000) {
    return n.toFixed(0);
  }
  return Number(n.toPrecision(digits)).toString();
}

function formatValue(value, unit) {
  if (value === null || value === undefined) {
    return '–';
  }
  switch (unit) {
    case 's':
      return Math.abs(value) < 1 ? `${sig(value * 1000)} ms` : `${sig(value)} s`;
    case 'percentunit':
      return `${sig(value * 100)} %`;
    case 'currencyUSD':
      return `$${sig(value)}`;
    case 'reqps':
      return `${sig(value)} req/s`;
    case 'ops':
      return `${sig(value)} /s`;
    default:
      return Math.abs(value) >= 1e6 ? `${sig(value / 1e6)} M` : Math.abs(value) >= 1e3 ? `${sig(value / 1e3)} k` : sig(value);
  }
}

const escapeXml = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]));
const PALETTE = ['#73BF69', '#F2CC0C', '#8AB8FF', '#FF780A', '#F2495C', '#5794F2', '#B877D9', '#FADE2A', '#56A64B', '#E0B400', '#C4162A', '#1F60C4'];

function niceTicks(min, max, count = 4) {
  if (min === max) {
    max = min === 0 ? 1 : min * 1.5;
    min = 0;
  }
  const raw = (max - min) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((f) => f * mag).find((s) => s >= raw);
  const ticks = [];
  let t = Math.floor(min / step) * step;
  do {
    ticks.push(Number(t.toPrecision(12)));
    t += step;
  } while (ticks[ticks.length - 1] < max - step * 1e-9);
  return ticks;
}

function hhmm(t) {
  return new Date(t * 1000).toISOString().slice(11, 16);
}

function chartSvg(series, width, height, unit, start, end, { area = false, axes = true } = {}) {
  const padLeft = axes ? 64 : 2;
  const padBottom = axes ? 18 : 2;
  const plotW = width - padLeft - (axes ? 22 : 6); // room for the last time label
  const plotH = height - padBottom - 6;
  const values = series.flatMap((s) => s.points.map(([, v]) => v)).filter((v) => v !== null);
  const lo = Math.min(0, ...values);
  const hiRaw = values.length ? Math.max(...values) : 1;
  const ticks = niceTicks(lo, hiRaw > lo ? hiRaw : lo + 1);
  const hi = ticks[ticks.length - 1];
  const x = (t) => padLeft + ((t - start) / (end - start)) * plotW;
  const y = (v) => 6 + plotH - ((v - lo) / (hi - lo || 1)) * plotH;
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">`];
  if (axes) {
    for (const t of ticks) {
      parts.push(`<line x1="${padLeft}" x2="${padLeft + plotW}" y1="${y(t)}" y2="${y(t)}" stroke="#2c3235"/>`);
      parts.push(`<text x="${padLeft - 6}" y="${y(t) + 4}" text-anchor="end" class="tick">${escapeXml(formatValue(t, unit))}</text>`);
    }
    const span = end - start;
    const every = [60, 120, 300, 600, 900, 1800, 3600, 7200, 21600].find((s) => span / s <= 8) ?? 43200;
    for (let t = Math.ceil(start / every) * every; t <= end; t += every) {
      parts.push(`<line x1="${x(t)}" x2="${x(t)}" y1="6" y2="${6 + plotH}" stroke="#22272b"/>`);
      parts.push(`<text x="${x(t)}" y="${height - 4}" text-anchor="middle" class="tick">${hhmm(t)}</text>`);
    }
  }
  series.forEach((s) => {
    let d = '';
    let pen = false;
    const segments = [];
    let current = [];
    for (const [t, v] of s.points) {
      if (v === null) {
        pen = false;
        if (current.length) {
          segments.push(current);
          current = [];
        }
        continue;
      }
      d += `${pen ? 'L' : 'M'}${x(t).toFixed(1)},${y(v).toFixed(1)}`;
      pen = true;
      current.push([x(t), y(v)]);
    }
    if (current.length) {
      segments.push(current);
    }
    if (area) {
      for (const seg of segments) {
        const poly = seg.map(([px, py]) => `${px.toFixed(1)},${py.toFixed(1)}`).join(' ');
        parts.push(`<polygon points="${seg[0][0].toFixed(1)},${y(lo)} ${poly} ${seg[seg.length - 1][0].toFixed(1)},${y(lo)}" fill="${s.color}" fill-opacity="0.18"/>`);
      }
    }
    // a lone point between gaps would draw nothing as a path: mark it
    for (const seg of segments.filter((g) => g.length === 1)) {
      parts.push(`<circle cx="${seg[0][0]}" cy="${seg[0][1]}" r="1.8" fill="${s.color}"/>`);
    }
    parts.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="1.6"/>`);
  });
  parts.push('</svg>');
  return parts.join('');
}

function thresholdColor(value, fieldConfig) {
  const steps = fieldConfig?.defaults?.thresholds?.steps ?? [];
  let color = 'green';
  for (const step of steps) {
    if (step.value === null || (value !== null && value >= step.value)) {
      color = step.color;
    }
  }
  return { green: '#73BF69', orange: '#FF9830', red: '#F2495C', yellow: '#FADE2A' }[color] ?? color;
}

async function runPanel(panel, start, end, scrape) {
  const widthPx = (panel.gridPos.w / 24) * PAGE_WIDTH;
  const iv = intervals(end - start, widthPx, scrape);
  const step = iv.interval;
  const results = [];
  for (const target of panel.targets ?? []) {
    const query = expand(target.expr, iv, end - start);
    const body = await api('/api/v1/query_range', { query, start, end, step });
    if (body.status !== 'success') {
      results.push({ target, query, error: body.error ?? 'failed', series: [] });
      continue;
    }
    const series = body.data.result.map((r) => ({
      name: legendOf(target, r.metric),
      points: r.values.map(([t, v]) => [Number(t), num(v)]),
    }));
    results.push({ target, query, series });
  }
  return { panel, results, step, rateInterval: iv.rateInterval };
}

function panelHtml({ panel, results }, start, end) {
  const w = (panel.gridPos.w / 24) * PAGE_WIDTH;
  const h = panel.gridPos.h * ROW_PX;
  const left = (panel.gridPos.x / 24) * PAGE_WIDTH;
  const top = HEADER_PX + panel.gridPos.y * ROW_PX;
  const unit = panel.fieldConfig?.defaults?.unit;
  const style = `left:${left + 4}px;top:${top + 4}px;width:${w - 8}px;height:${h - 8}px`;
  const errors = results.filter((r) => r.error);
  if (panel.type === 'stat') {
    const first = results.flatMap((r) => r.series)[0];
    const last = first ? [...first.points].reverse().find(([, v]) => v !== null) : undefined;
    const value = last ? last[1] : null;
    const color = thresholdColor(value, panel.fieldConfig);
    const spark = first ? chartSvg([{ ...first, color }], w - 24, h - 40, unit, start, end, { area: true, axes: false }) : '';
    return `<div class="panel" style="${style}"><div class="title">${escapeXml(panel.title)}</div>
      <div class="spark">${spark}</div>
      <div class="stat" style="color:${color}">${value === null ? 'No data' : escapeXml(formatValue(value, unit))}</div>
      ${errors.map((e) => `<div class="err">${escapeXml(e.error)}</div>`).join('')}</div>`;
  }
  let index = 0;
  const legendRows = [];
  const drawn = [];
  for (const r of results) {
    if (r.error) {
      legendRows.push(`<tr><td colspan="3" class="err">${escapeXml(r.target.refId)}: ${escapeXml(r.error)}</td></tr>`);
      continue;
    }
    if (!r.series.length) {
      const label = (r.target.legendFormat ?? r.target.refId).replace(/\{\{\s*\w+\s*\}\}/g, '').trim();
      legendRows.push(`<tr class="empty"><td>${escapeXml(label)}: no series</td><td></td><td></td></tr>`);
      continue;
    }
    for (const s of r.series) {
      const color = PALETTE[index++ % PALETTE.length];
      const vals = s.points.map(([, v]) => v).filter((v) => v !== null);
      const mean = vals.length ? vals.reduce((a, b) => a + b, 0) / vals.length : null;
      const max = vals.length ? Math.max(...vals) : null;
      drawn.push({ ...s, color });
      legendRows.push(`<tr><td><span class="sw" style="background:${color}"></span>${escapeXml(s.name)}</td>
        <td>${escapeXml(formatValue(mean, unit))}</td><td>${escapeXml(formatValue(max, unit))}</td></tr>`);
    }
  }
  const legendH = Math.min(16 * (legendRows.length + 1) + 6, Math.floor(h * 0.55));
  const chart = chartSvg(drawn, w - 24, h - 8 - 30 - legendH, unit, start, end);
  return `<div class="panel" style="${style}"><div class="title">${escapeXml(panel.title)}</div>
    <div>${drawn.length ? chart : `<div class="nodata" style="height:${h - 38 - legendH}px">No data</div>`}</div>
    <div class="legend" style="height:${legendH}px"><table><tr><th></th><th>mean</th><th>max</th></tr>${legendRows.join('')}</table></div></div>`;
}

async function check(panels, start, end, scrape) {
  let failed = 0;
  for (const panel of panels) {
    const widthPx = (panel.gridPos.w / 24) * PAGE_WIDTH;
    const iv = intervals(end - start, widthPx, scrape);
    for (const target of panel.targets ?? []) {
      const query = expand(target.expr, iv, end - start);
      const body = await api('/api/v1/query', { query, time: end });
      if (body.status !== 'success') {
        failed++;
        console.log(`${panel.id}\t${target.refId}\tERROR\t${body.error}\t${query}`);
        continue;
      }
      const series = body.data.result;
      const values = series.map((s) => `${legendOf(target, s.metric)}=${s.value[1]}`).join('; ');
      console.log(`${panel.id}\t${target.refId}\tok\t${series.length} series\t${values || '(empty)'}\t${panel.title}`);
    }
  }
  return failed;
}

async function main() {
  const end = parseTime(args.end, Date.now() / 1000);
  const start = parseTime(args.start, end - parseDuration(dashboard.time?.from));
  if (!(start < end)) {
    throw new Error('--start must be before --end');
  }
  const scrape = await scrapeInterval();
  const panels = dashboard.panels.filter((p) => p.type !== 'row');
  if (args.check) {
    process.exit((await check(panels, start, end, scrape)) ? 1 : 0);
  }
  const rendered = [];
  for (const panel of panels) {
    rendered.push(await runPanel(panel, start, end, scrape));
  }
  const height = HEADER_PX + Math.max(...panels.map((p) => p.gridPos.y + p.gridPos.h)) * ROW_PX + 8;
  const iso = (t) => new Date(t * 1000).toISOString().replace('.000', '');
  const note = args.note ? ` · ${escapeXml(args.note)}` : '';
  const html = `<!doctype html><html><head><meta charset="utf-8"><style>
    body{margin:0;background:#111217;color:#ccccdc;font:12px/1.3 "DejaVu Sans",Arial,sans-serif;width:${PAGE_WIDTH}px;height:${height}px;position:relative}
    .head{position:absolute;left:8px;top:6px;right:8px}
    .head h1{font-size:17px;margin:0 0 4px;color:#fff;font-weight:600}
    .panel{position:absolute;background:#181b1f;border:1px solid #2c3235;border-radius:3px;padding:4px 8px;box-sizing:border-box;overflow:hidden}
    .title{font-weight:600;color:#d8d9da;height:22px;line-height:22px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
    .tick{fill:#9fa7b3;font-size:10px}
    .stat{position:absolute;left:0;right:0;top:38%;text-align:center;font-size:34px;font-weight:600}
    .spark{position:absolute;left:12px;bottom:6px}
    .legend{overflow:hidden;font-size:11px;line-height:16px}
    .legend table{border-collapse:collapse;width:100%}
    .legend th{text-align:right;color:#9fa7b3;font-weight:normal;padding:0 6px}
    .legend td{padding:0 6px;white-space:nowrap;text-align:right}
    .legend td:first-child{text-align:left;max-width:420px;overflow:hidden;text-overflow:ellipsis}
    .legend tr.empty td{color:#6e7580;font-style:italic}
    .sw{display:inline-block;width:12px;height:3px;margin:0 6px 3px 0;vertical-align:middle}
    .nodata{display:flex;align-items:center;justify-content:center;color:#6e7580;font-size:15px}
    .err{color:#F2495C;font-size:11px}
  </style></head><body>
  <div class="head"><h1>${escapeXml(dashboard.title)} — the panels of ops/grafana/edgechat.json, rendered from Prometheus (not Grafana)</h1>
  <div>${iso(start)} – ${iso(end)} (UTC) · region=${escapeXml(region === '.*' ? 'All' : region)} · scrape ${scrape}s, step ${rendered[0].step}s, $__rate_interval ${rendered[0].rateInterval}s · ${escapeXml(prometheus)}${note}</div></div>
  ${rendered.map((r) => panelHtml(r, start, end)).join('\n')}
  </body></html>`;
  const out = resolve(args.out ?? 'docs/dashboard-real-data.png');
  const dir = mkdtempSync(join(tmpdir(), 'dashboard-snapshot-'));
  const page = args.html ? resolve(args.html) : join(dir, 'dashboard.html');
  writeFileSync(page, html);
  try {
    execFileSync(args.chromium ?? '/usr/bin/chromium', [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run',
      '--disable-component-update', '--disable-sync', '--hide-scrollbars', `--user-data-dir=${join(dir, 'profile')}`,
      `--window-size=${PAGE_WIDTH},${height}`, `--screenshot=${out}`, `file://${page}`,
    ], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 120_000 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const empty = rendered.flatMap((r) => r.results.filter((x) => !x.error && !x.series.length)
    .map((x) => `${r.panel.title} / ${x.target.refId}`));
  console.log(`wrote ${out} (${PAGE_WIDTH}x${height}); targets without series: ${empty.length ? empty.join(', ') : 'none'}`);
}

main().catch((e) => {
  console.error(`dashboard-snapshot: ${e.message}`);
  process.exit(1);
});
