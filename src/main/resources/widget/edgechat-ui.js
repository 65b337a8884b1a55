// edgechat chat UI: runs in the edge's frame (/widget/frame.html) that edgechat.js embeds; talks to the host page
// only by postMessage. Answer text only ever becomes DOM text nodes.
(() => {
  'use strict';
  const DARK = '--bg:#1f2125;--fg:#e8eaed;--muted:#a0a4ab;--accent:#8ab4f8;--on-accent:#10131a;--bubble:#2d3036;--border:#454a52;--error:#f2b8b5;color-scheme:dark';
  const CSS = `:root{--bg:#fff;--fg:#1c1e21;--muted:#5f6368;--accent:#2456c8;--on-accent:#fff;--bubble:#eef1f5;
--border:#cfd4dc;--error:#b3261e;color-scheme:light}
:root[data-theme=dark]{${DARK}}@media (prefers-color-scheme:dark){:root[data-theme=auto]{${DARK}}}
html,body{height:100%;margin:0}
body{font:15px/1.45 system-ui,sans-serif;background:var(--bg);color:var(--fg)}
.panel{height:100%;display:flex;flex-direction:column;box-sizing:border-box}
[hidden]{display:none!important}
header{display:flex;align-items:center;justify-content:space-between;padding:10px 14px;background:var(--accent);color:var(--on-accent)}
h2{margin:0;font-size:16px}
button{font:inherit;cursor:pointer;border-radius:8px;border:0;padding:8px 14px;background:var(--accent);color:var(--on-accent)}
button:disabled{opacity:.55;cursor:default}
button:focus-visible,textarea:focus-visible,a:focus-visible{outline:3px solid var(--fg);outline-offset:2px}
.close{background:transparent;color:inherit;font-size:20px;padding:2px 8px}
.log{flex:1;overflow-y:auto;padding:12px;display:flex;flex-direction:column;gap:10px}
.msg{max-width:88%;padding:8px 12px;border-radius:12px;background:var(--bubble);overflow-wrap:anywhere}
.msg-user{align-self:flex-end;background:var(--accent);color:var(--on-accent)}
.msg.queued{opacity:.75;border:1px dashed var(--on-accent)}
.msg.queued .meta{color:inherit}
.msg p{margin:0 0 6px}.msg p:last-child{margin:0}.msg ul,.msg ol{margin:4px 0;padding-left:20px}
code{font-family:ui-monospace,monospace;font-size:.92em;background:#8882;padding:0 3px;border-radius:4px}
a{color:inherit}
.sources{margin:6px 0 0;padding:6px 0 0 18px;border-top:1px solid var(--border);font-size:13px}
.meta{font-size:12px;color:var(--muted);margin:4px 0 0}
.error{color:var(--error)}
.notice{margin:0;padding:0 12px;font-size:13px;color:var(--error);min-height:0}
.typing{display:inline-flex;gap:4px;padding:4px 0}
.typing i{width:7px;height:7px;border-radius:50%;background:var(--muted);animation:b 1s infinite}
.typing i:nth-child(3){animation-delay:.15s}.typing i:nth-child(4){animation-delay:.3s}
@keyframes b{0%,80%,100%{opacity:.3}40%{opacity:1}}
@media (prefers-reduced-motion:reduce){.typing i{animation:none}}
form{display:flex;gap:8px;padding:10px;border-top:1px solid var(--border)}
textarea{flex:1;resize:none;font:inherit;color:inherit;background:var(--bg);border:1px solid var(--border);border-radius:8px;padding:6px 8px}
.vh{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}`;
  const CACHE_LABELS = { hit: 'cache hit', semantic: 'semantic cache hit', miss: 'cache miss' };

  const make = (tag, className, text) => {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  };
  const safeUrl = (value) => {
    try {
      const url = new URL(String(value));
      return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
    } catch { return null; }
  };
  const link = (text, url) => {
    const a = make('a', '', text);
    Object.assign(a, { href: url, target: '_blank', rel: 'noopener noreferrer' });
    return a;
  };

  /** Inline Markdown subset: **bold**, *em* / _em_, `code`, [text](http(s) url). Everything else is text. */
  const INLINE = /(\*\*[^*\n]+\*\*|`[^`\n]+`|\[[^\]\n]+\]\([^)\s]+\)|\*[^*\s][^*\n]*\*|_[^_\s][^_\n]*_)/;
  function inline(parent, text) {
    for (const part of text.split(INLINE)) {
      if (!part) continue;
      let m;
      if (part.startsWith('**') && part.endsWith('**') && part.length > 4) parent.append(make('strong', '', part.slice(2, -2)));
      else if (part.startsWith('`') && part.endsWith('`') && part.length > 2) parent.append(make('code', '', part.slice(1, -1)));
      else if ((m = /^\[([^\]]+)\]\(([^)\s]+)\)$/.exec(part))) {
        const url = safeUrl(m[2]);
        parent.append(url ? link(m[1], url) : m[1]);
      } else if (/^([*_]).+\1$/.test(part) && part.length > 2) parent.append(make('em', '', part.slice(1, -1)));
      else parent.append(part);
    }
  }
  /** Block Markdown subset: paragraphs, "- " / "* " and "1. " lists. */
  function markdown(target, text) {
    target.replaceChildren();
    for (const block of text.split(/\n{2,}/)) {
      const lines = block.split('\n').filter((l) => l.trim());
      if (!lines.length) continue;
      const bullet = lines.every((l) => /^\s*[-*] /.test(l));
      const numbered = lines.every((l) => /^\s*\d+[.)] /.test(l));
      if (bullet || numbered) {
        const list = make(bullet ? 'ul' : 'ol');
        for (const l of lines) {
          const li = make('li');
          inline(li, l.replace(/^\s*(?:[-*]|\d+[.)]) /, ''));
          list.append(li);
        }
        target.append(list);
      } else {
        const p = make('p');
        lines.forEach((l, i) => { if (i) p.append(make('br')); inline(p, l); });
        target.append(p);
      }
    }
  }

  function parseEvent(block) {
    let event = 'message', id = null;
    const data = [];
    for (const line of block.split('\n')) {
      if (line === '' || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
      else if (field === 'id') id = value;
    }
    if (!data.length) return null;
    try { return { event, id, data: JSON.parse(data.join('\n')) }; } catch { return null; }
  }
  async function* readEvents(stream) {
    const reader = stream.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        let text = buffer + (done ? decoder.decode() : decoder.decode(value, { stream: true }));
        let held = '';
        if (!done && text.endsWith('\r')) { held = '\r'; text = text.slice(0, -1); }
        text = text.replace(/\r\n?/g, '\n');
        let end;
        while ((end = text.indexOf('\n\n')) >= 0) {
          const parsed = parseEvent(text.slice(0, end));
          text = text.slice(end + 2);
          if (parsed) yield parsed;
        }
        buffer = text + held;
        if (done) break;
      }
      const last = parseEvent(buffer);
      if (last) yield last;
    } finally {
      reader.cancel().catch(() => {});
    }
  }
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

  class HttpError extends Error {}
  /** The edge could not be reached at all (no HTTP answer): the message is queued or sent via another edge. */
  class Unreachable extends Error {}
  async function httpError(response) {
    const body = await response.json().catch(() => null);
    const message = body && body.error && body.error.message ? String(body.error.message) : `HTTP ${response.status}`;
    if (response.status === 429) {
      const after = Number(response.headers.get('Retry-After'));
      return new HttpError(`Too many messages right now. Please wait${after > 0 ? ` ${after} s` : ' a moment'} and try again.`);
    }
    if (response.status >= 500) return new HttpError('The assistant is busy or unavailable. Please try again shortly.');
    return new HttpError(message);
  }

  const parentWindow = window.parent;
  if (parentWindow === window) return; // opened on its own: the frame only works inside a page that embeds it
  const CONVERSATIONS = 'edgechat-conversations'; // the service worker's cache of conversations (sw.js)
  let host = null; // the embedding page's origin, as the browser reported it with the first message
  const toHost = (msg) => parentWindow.postMessage(msg, host);

  function start(cfg) {
    document.documentElement.dataset.theme = /^(light|dark)$/.test(cfg.theme) ? cfg.theme : 'auto';
    document.documentElement.lang = cfg.lang || 'en';
    document.title = String(cfg.title);
    const keyOutbox = `edgechat.${cfg.site}.outbox`;
    const store = {
      get(k) { try { return JSON.parse(localStorage.getItem(k)); } catch { return null; } },
      set(k, v) { try { localStorage.setItem(k, JSON.stringify(v)); } catch { /* storage unavailable */ } },
    };
    let conversation = cfg.conversation || null;
    let transcript = []; // {role, text} as shown, kept in the service worker's cache for offline visits

    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    document.adoptedStyleSheets = [sheet]; // constructed: the frame's CSP needs no style-src
    const panel = make('section', 'panel');
    panel.setAttribute('role', 'dialog');
    panel.setAttribute('aria-label', cfg.title);
    const header = make('header');
    const close = make('button', 'close', '\u00d7');
    close.type = 'button';
    close.setAttribute('aria-label', 'Close chat');
    header.append(make('h2', '', cfg.title), close);
    const log = make('div', 'log');
    log.setAttribute('role', 'log');
    log.setAttribute('aria-live', 'polite');
    log.setAttribute('aria-label', 'Conversation');
    const notice = make('p', 'notice');
    notice.setAttribute('role', 'status');
    const form = make('form');
    const input = make('textarea');
    Object.assign(input, { rows: 2, placeholder: 'Type a question…' });
    input.setAttribute('aria-label', 'Your message');
    const sendButton = make('button', '', 'Send');
    sendButton.type = 'submit';
    form.append(input, sendButton);
    panel.append(header, log, notice, form);
    document.body.append(panel);

    let queue = Promise.resolve();
    let busy = 0;
    const scrollToEnd = () => { log.scrollTop = log.scrollHeight; };
    const setBusy = (delta) => {
      busy += delta;
      sendButton.disabled = busy > 0;
      log.setAttribute('aria-busy', String(busy > 0)); // the finished answer is announced once
    };
    const addMessage = (role, text) => {
      const el = make('div', `msg msg-${role}`);
      const body = make('div', 'text');
      if (role === 'assistant') markdown(body, text); else body.textContent = text;
      el.append(make('span', 'vh', role === 'user' ? 'You said: ' : 'Answer: '), body);
      log.append(el);
      scrollToEnd();
      return { el, body };
    };
    const OFFLINE = 'You are offline. You can keep writing: messages are sent when the connection is back.';
    const showOffline = () => {
      if (!navigator.onLine) notice.textContent = OFFLINE;
      else if (notice.textContent === OFFLINE) notice.textContent = '';
    };

    /** Keeps what the visitor sees in the cache the service worker answers GET /v1/conversations/{id} from when offline. */
    const keep = () => {
      if (!conversation || !('caches' in window)) return;
      const body = JSON.stringify({ id: conversation, site: cfg.site, messages: transcript });
      caches.open(CONVERSATIONS)
        .then((c) => c.put(`/v1/conversations/${encodeURIComponent(conversation)}`,
          new Response(body, { headers: { 'Content-Type': 'application/json' } })))
        .catch(() => {});
    };

    function answerView() {
      const { el, body } = addMessage('assistant', '');
      el.classList.add('answer');
      const typing = make('span', 'typing');
      typing.hidden = true;
      typing.append(make('span', 'vh', 'Assistant is typing'), make('i'), make('i'), make('i'));
      el.append(typing);
      let text = '', frame = 0;
      const render = () => { frame = 0; markdown(body, text); scrollToEnd(); };
      return {
        el,
        get text() { return text; },
        ready() { typing.hidden = false; scrollToEnd(); },
        token(t) { typing.hidden = true; text += t; if (!frame) frame = requestAnimationFrame(render); },
        sources(items) {
          const list = make('ul', 'sources');
          list.setAttribute('aria-label', 'Sources');
          for (const item of Array.isArray(items) ? items : []) {
            const title = String((item && (item.title || item.url)) || 'Source');
            const url = item ? safeUrl(item.url) : null;
            const li = make('li');
            li.append(url ? link(title, url) : title);
            list.append(li);
          }
          if (list.childElementCount) el.insertBefore(list, typing);
        },
        done(data) {
          if (frame) cancelAnimationFrame(frame);
          render();
          typing.hidden = true;
          el.append(make('p', 'meta', `${CACHE_LABELS[data.cache] || ''}${data.stale ? ' · stale' : ''}`));
        },
        fail(message) {
          typing.hidden = true;
          el.classList.add('failed');
          el.insertBefore(make('p', 'error', message), typing);
          scrollToEnd();
        },
      };
    }

    /** Streams one answer; a dropped stream is resumed from the last event id. */
    async function ask(question, bubble) {
      bubble.el.classList.remove('queued');
      bubble.el.querySelector('.meta')?.remove();
      const view = answerView();
      setBusy(1);
      const request = { site: cfg.site, message: question, visitor: cfg.visitor };
      if (conversation) request.conversation = conversation;
      let ids = null, lastId = null, result = null;
      try {
        if (!navigator.onLine) throw new Unreachable();
        let response = await fetch('/v1/chat', {
          method: 'POST',
          // the embedding page's origin, from the browser: the edge checks it against the site's allowedOrigins
          headers: { 'Content-Type': 'application/json', Accept: 'text/event-stream', 'X-Edgechat-Embedder': host },
          body: JSON.stringify(request),
        }).catch(() => { throw new Unreachable(); });
        if (response.status >= 502 && response.status <= 504 && cfg.failover) throw new Unreachable();
        for (let attempt = 0; ; attempt++) {
          if (!response.ok || !response.body) throw await httpError(response);
          try {
            for await (const { event, id, data } of readEvents(response.body)) {
              if (id) lastId = id;
              if (event === 'ready') {
                ids = { conversation: String(data.conversation), message: String(data.message) };
                if (ids.conversation !== conversation) {
                  conversation = ids.conversation;
                  toHost({ ec: 'conversation', id: conversation });
                }
                view.ready();
              } else if (event === 'token' && typeof data.text === 'string') {
                view.token(data.text);
                toHost({ ec: 'token', text: data.text });
              } else if (event === 'sources') {
                view.sources(data.items);
              } else if (event === 'done') {
                view.done(data);
                result = { ...ids, text: view.text, cache: data.cache };
                break;
              } else if (event === 'error') {
                throw new HttpError(String(data.message || data.code || 'The answer failed.'));
              }
            }
          } catch (err) {
            if (err instanceof HttpError) throw err; // otherwise the stream broke: resume below
          }
          if (result) break;
          if (!ids || attempt >= 4) throw new HttpError('The answer was cut off. Please try again.');
          await sleep(300 * 2 ** attempt);
          response = await fetch(`/v1/chat/${encodeURIComponent(ids.message)}/events`, {
            headers: { Accept: 'text/event-stream', ...(lastId ? { 'Last-Event-ID': lastId } : {}) },
          }).catch(() => ({ ok: false, status: 0, json: async () => null, headers: new Headers() }));
        }
        transcript.push({ role: 'user', text: question }, { role: 'assistant', text: result.text });
        keep();
        toHost({ ec: 'answer', detail: result });
        return result.text;
      } catch (err) {
        if (err instanceof Unreachable) view.el.remove();
        else view.fail(err instanceof HttpError ? err.message : 'Something went wrong.');
        throw err;
      } finally {
        setBusy(-1);
      }
    }

    // Messages that could not reach the edge wait here (this origin's storage) until the connection is back.
    const outbox = () => store.get(keyOutbox) || [];
    const waiting = new Map(); // outbox id -> {bubble, settle} for messages written in this visit
    const markQueued = (bubble) => {
      bubble.el.classList.add('queued');
      if (!bubble.el.querySelector('.meta')) bubble.el.append(make('p', 'meta', 'Queued: sent when you are back online'));
    };
    const enqueue = (text, bubble, settle) => {
      const id = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
      store.set(keyOutbox, [...outbox(), { id, text }]);
      markQueued(bubble);
      waiting.set(id, { bubble, settle });
    };

    /** Asks in order; an unreachable edge queues the message (or, when the host has another edge, hands it over). */
    const submit = (text, bubble, settle) => {
      queue = queue.then(() => ask(text, bubble).then((answer) => settle({ ok: true, text: answer }), (err) => {
        if (!(err instanceof Unreachable)) settle({ ok: false, error: err.message });
        else if (navigator.onLine && cfg.failover) toHost({ ec: 'failover', text, ref: settle.ref });
        else enqueue(text, bubble, settle);
      }));
      return queue;
    };
    let flushing = false;
    async function flush() {
      if (flushing || !navigator.onLine) return;
      flushing = true;
      try {
        for (const item of outbox()) {
          store.set(keyOutbox, outbox().filter((o) => o.id !== item.id));
          const entry = waiting.get(item.id) || { bubble: addMessage('user', item.text), settle: () => {} };
          waiting.delete(item.id);
          await submit(item.text, entry.bubble, entry.settle);
          if (!navigator.onLine) break;
        }
      } finally {
        flushing = false;
      }
    }
    const send = (raw, ref) => new Promise((resolve) => {
      const text = String(raw || '').trim();
      const settle = (reply) => resolve(reply);
      settle.ref = ref;
      if (!text) { settle({ ok: false, error: 'edgechat: empty message' }); return; }
      submit(text, addMessage('user', text), settle);
    }).then((reply) => { if (ref !== undefined) toHost({ ec: 'reply', id: ref, ...reply }); });

    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const text = input.value;
      input.value = '';
      if (text.trim()) send(text);
    });
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        form.requestSubmit();
      }
    });
    const hide = () => toHost({ ec: 'close' });
    panel.addEventListener('keydown', (e) => { if (e.key === 'Escape') hide(); });
    close.addEventListener('click', hide);
    window.addEventListener('online', () => { showOffline(); flush(); });
    setInterval(() => { if (outbox().length) flush(); }, 30000); // an edge that was down may be back
    window.addEventListener('offline', showOffline);

    async function loadHistory() {
      if (!conversation) return;
      try {
        const response = await fetch(`/v1/conversations/${encodeURIComponent(conversation)}`, { headers: { Accept: 'application/json' } });
        if (response.status === 404 || response.status === 400) {
          conversation = null;
          toHost({ ec: 'conversation', id: null });
          return;
        }
        if (!response.ok) throw await httpError(response);
        const history = await response.json();
        for (const m of Array.isArray(history.messages) ? history.messages : []) {
          const role = m.role === 'user' ? 'user' : 'assistant';
          transcript.push({ role, text: String(m.text || '') });
          addMessage(role, String(m.text || '')).el.classList.add('history');
        }
        keep();
      } catch {
        notice.textContent = 'Could not load the earlier conversation.';
      }
    }

    window.addEventListener('message', (e) => {
      if (e.source !== parentWindow || e.origin !== host || !e.data) return;
      const m = e.data;
      if (m.ec === 'open') input.focus();
      else if (m.ec === 'send') send(m.text, m.id);
    });
    queue = loadHistory().then(() => {
      for (const item of outbox()) {
        const bubble = addMessage('user', item.text);
        markQueued(bubble);
        waiting.set(item.id, { bubble, settle: () => {} });
      }
      showOffline();
      toHost({ ec: 'ready' });
      flush();
    });
  }

  window.addEventListener('message', function init(e) {
    if (e.source !== parentWindow || !e.data || e.data.ec !== 'init') return;
    window.removeEventListener('message', init);
    host = e.origin;
    start(e.data);
  });
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/widget/sw.js', { scope: '/widget/' }).catch(() => { /* blocked or unsupported: online only */ });
  }
  parentWindow.postMessage({ ec: 'hello' }, '*'); // carries nothing: the host answers with init only to its own frame
})();
