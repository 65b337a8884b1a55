// edgechat loader: a launcher in a shadow root; on intent (hover, focus, touch, click) or when idle it picks the
// nearest edge and embeds the chat UI in that edge's frame (/widget/frame.html), which talks back by postMessage.
(() => {
  'use strict';
  if (window.EdgeChat) return;
  const tag = document.currentScript || document.querySelector('script[src*="/widget/edgechat.js"]');
  if (!tag) return;
  const d = tag.dataset;
  const origin = (u) => { try { return new URL(u).origin; } catch { return null; } };
  const edges = [...new Set((d.edges || '').split(',').map((e) => origin(e.trim())).filter((e) => e && e !== 'null'))];
  if (!edges.length) edges.push(new URL(tag.src).origin);
  const cfg = {
    site: d.site || 'demo', title: d.title || 'Chat with us', theme: /^(light|dark)$/.test(d.theme) ? d.theme : 'auto',
    lang: document.documentElement.lang || 'en',
  };
  const css = `:host{--bg:#fff;--fg:#1c1e21;--accent:#2456c8;--on-accent:#fff;--border:#cfd4dc;all:initial;color-scheme:light}
:host([data-theme=dark]){--bg:#1f2125;--fg:#e8eaed;--accent:#8ab4f8;--on-accent:#10131a;--border:#454a52;color-scheme:dark}
@media (prefers-color-scheme:dark){:host([data-theme=auto]){--bg:#1f2125;--fg:#e8eaed;--accent:#8ab4f8;--on-accent:#10131a;
--border:#454a52;color-scheme:dark}}
.launcher{position:fixed;right:20px;bottom:20px;z-index:2147483000;width:56px;height:56px;border-radius:50%;
border:0;background:var(--accent);color:var(--on-accent);cursor:pointer;box-shadow:0 4px 14px #0004;display:grid;place-items:center}
.launcher svg{width:26px;height:26px;fill:currentColor}
.launcher:focus-visible{outline:3px solid var(--fg);outline-offset:3px}
.panel{position:fixed;right:20px;bottom:88px;z-index:2147483000;width:min(380px,calc(100vw - 24px));
height:min(560px,calc(100vh - 110px));border:1px solid var(--border);border-radius:14px;box-shadow:0 10px 32px #0005;
background:var(--bg);box-sizing:border-box}
.panel[hidden]{display:none}
@media (max-width:480px){.panel{right:0;bottom:0;width:100vw;height:100%;border:0;border-radius:0}}`;

  let host = document.getElementById('edgechat');
  if (!host) {
    host = document.createElement('div');
    host.id = 'edgechat';
    document.body.append(host);
  }
  host.dataset.theme = cfg.theme;
  const root = host.shadowRoot || host.attachShadow({ mode: 'open' });
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(css); // a constructed sheet: no inline <style>, so style-src needs no 'unsafe-inline'
  root.adoptedStyleSheets = [sheet];
  const launcher = document.createElement('button');
  Object.assign(launcher, { type: 'button', className: 'launcher' });
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  const path = document.createElementNS('http://www.w3.org/2000/svg', 'path');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  path.setAttribute('d', 'M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z');
  svg.append(path);
  launcher.append(svg);
  launcher.setAttribute('aria-label', cfg.title);
  launcher.setAttribute('aria-expanded', 'false');
  launcher.setAttribute('aria-controls', 'panel');
  root.append(launcher);

  // this page's storage keeps the visitor, the conversation and the chosen edge: they outlive a change of edge
  const key = (name) => `edgechat.${cfg.site}.${name}`;
  const store = {
    get(k) { try { return localStorage.getItem(k); } catch { return null; } },
    set(k, v) { try { if (v == null) localStorage.removeItem(k); else localStorage.setItem(k, v); } catch { /* unavailable */ } },
  };
  let visitor = store.get(key('visitor'));
  if (!visitor) {
    visitor = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
    store.set(key('visitor'), visitor);
  }

  // Nearest edge: every edge answers GET /v1/ping (CORS); the first good answer wins and is kept for an hour.
  const HOUR = 3600e3;
  const failed = new Set();
  const answered = []; // edges in the order their pings answered
  const chosen = () => {
    try {
      const c = JSON.parse(store.get('edgechat.edge'));
      return c && edges.includes(c.edge) ? c : null;
    } catch { return null; }
  };
  const remember = (edge) => store.set('edgechat.edge', JSON.stringify({ edge, at: Date.now() }));
  let probing = null;
  const probe = () => probing || (probing = new Promise((resolve) => {
    let left = edges.length;
    const settle = () => { if (--left === 0) resolve(answered[0] || null); };
    for (const edge of edges) {
      fetch(`${edge}/v1/ping`, { cache: 'no-store', credentials: 'omit', signal: AbortSignal.timeout(4000) })
        .then((r) => { if (r.ok) { answered.push(edge); resolve(edge); } }, () => {})
        .finally(settle);
    }
  }));
  /** The edge to use: the remembered one within the hour, else the fastest to answer, else any not failed. */
  async function pick() {
    const c = chosen();
    if (edges.length === 1) return edges[0];
    if (c && Date.now() - c.at < HOUR && !failed.has(c.edge)) return c.edge;
    const fastest = await probe();
    return [fastest, ...answered, ...edges].find((e) => e && !failed.has(e))
      || (c && c.edge) || edges[0]; // every edge failed (offline?): the last choice, whose frame its service worker keeps
  }

  let frame = null, edge = null, ready = false, helloTimer = 0, loading = null, seq = 0;
  const pending = new Map(); // request id -> {text, resolve, reject, frame: the frame it was handed to}
  /** Hands the unanswered messages to the frame, once it is ready; each frame gets each message once. */
  const dispatch = () => {
    if (!ready) return;
    for (const [id, p] of pending) {
      if (p.frame !== frame) {
        p.frame = frame;
        post({ ec: 'send', id, text: p.text });
      }
    }
  };
  const emit = (name, detail) => window.dispatchEvent(new CustomEvent(`edgechat:${name}`, { detail }));
  const post = (msg) => frame && frame.contentWindow && frame.contentWindow.postMessage(msg, edge);
  let started = null;

  /** Embeds the frame of the picked edge; resolves once its UI shows the conversation. */
  const load = () => loading || (loading = new Promise((resolve) => { started = resolve; embed(); }));
  async function embed() {
    const next = await pick();
    if (frame) frame.remove();
    ready = false;
    edge = next;
    frame = document.createElement('iframe');
    Object.assign(frame, { id: 'panel', className: 'panel', title: cfg.title, src: `${edge}/widget/frame.html` });
    frame.hidden = launcher.getAttribute('aria-expanded') !== 'true';
    root.append(frame);
    // a frame that never says hello (edge down, no service worker to answer for it) hands over to the next edge
    clearTimeout(helloTimer);
    helloTimer = setTimeout(() => failover(), 6000);
  }
  /** The edge in use failed: forget it, embed the next one, and ask there what was not answered yet. */
  function failover(text, ref) {
    failed.add(edge);
    store.set('edgechat.edge', null);
    if (text && !pending.has(ref)) pending.set(++seq, { text, resolve() {}, reject() {}, frame: null });
    if (edges.some((e) => !failed.has(e))) embed();
  }

  window.addEventListener('message', (e) => {
    if (!frame || e.source !== frame.contentWindow || e.origin !== edge || !e.data) return;
    const m = e.data;
    if (m.ec === 'hello') {
      clearTimeout(helloTimer);
      post({
        ec: 'init', ...cfg, visitor, conversation: store.get(key('conversation')),
        failover: edges.some((x) => x !== edge && !failed.has(x)),
      });
    } else if (m.ec === 'ready') {
      if (edges.length > 1) remember(edge);
      ready = true;
      dispatch();
      if (launcher.getAttribute('aria-expanded') === 'true') post({ ec: 'open' });
      started();
      emit('ready', {});
    } else if (m.ec === 'conversation') store.set(key('conversation'), m.id);
    else if (m.ec === 'token') emit('token', { text: String(m.text) });
    else if (m.ec === 'answer') emit('answer', m.detail);
    else if (m.ec === 'close') close();
    else if (m.ec === 'failover') failover(String(m.text), m.ref);
    else if (m.ec === 'reply' && pending.has(m.id)) {
      const p = pending.get(m.id);
      pending.delete(m.id);
      if (m.ok) p.resolve(String(m.text)); else p.reject(new Error(String(m.error)));
    }
  });

  const open = () => {
    launcher.setAttribute('aria-expanded', 'true');
    return load().then(() => {
      frame.hidden = false;
      frame.focus();
      post({ ec: 'open' });
    });
  };
  const close = () => {
    launcher.setAttribute('aria-expanded', 'false');
    if (frame) frame.hidden = true;
    launcher.focus();
    return Promise.resolve();
  };
  window.EdgeChat = {
    open,
    close,
    send: (text) => load().then(() => new Promise((resolve, reject) => {
      pending.set(++seq, { text: String(text), resolve, reject, frame: null });
      dispatch();
    })),
  };
  launcher.addEventListener('click', () => (frame && !frame.hidden ? close() : open()));
  for (const intent of ['pointerenter', 'focus', 'touchstart']) launcher.addEventListener(intent, load, { once: true, passive: true });
  if (d.open !== undefined && d.open !== 'false') open();
  else if ('requestIdleCallback' in window) requestIdleCallback(load, { timeout: 5000 });
  else setTimeout(load, 3000);
})();
