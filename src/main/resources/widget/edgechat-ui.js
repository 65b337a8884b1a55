// edgechat chat UI: loaded by edgechat.js into its shadow root. Answer text only ever becomes DOM text nodes.
(() => {
  'use strict';
  const CSS = `.panel{position:fixed;right:20px;bottom:88px;z-index:2147483000;width:min(380px,calc(100vw - 24px));
height:min(560px,calc(100vh - 110px));display:flex;flex-direction:column;background:var(--bg);color:var(--fg);
border:1px solid var(--border);border-radius:14px;box-shadow:0 10px 32px #0005;overflow:hidden}
.panel{box-sizing:border-box}
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
.msg p{margin:0 0 6px}.msg p:last-child{margin:0}.msg ul,.msg ol{margin:4px 0;padding-left:20px}
code{font-family:ui-monospace,monospace;font-size:.92em;background:#8882;padding:0 3px;border-radius:4px}
a{color:inherit}
.sources{margin:6px 0 0;padding:6px 0 0 18px;border-top:1px solid var(--border);font-size:13px}
.meta{font-size:12px;color:var(--muted);margin-top:4px}
.error{color:var(--error)}
.notice{margin:0;padding:0 12px;font-size:13px;color:var(--error);min-height:0}
.typing{display:inline-flex;gap:4px;padding:4px 0}
.typing i{width:7px;height:7px;border-radius:50%;background:var(--muted);animation:b 1s infinite}
.typing i:nth-child(3){animation-delay:.15s}.typing i:nth-child(4){animation-delay:.3s}
@keyframes b{0%,80%,100%{opacity:.3}40%{opacity:1}}
@media (prefers-reduced-motion:reduce){.typing i{animation:none}}
form{display:flex;gap:8px;padding:10px;border-top:1px solid var(--border)}
textarea{flex:1;resize:none;font:inherit;color:inherit;background:var(--bg);border:1px solid var(--border);border-radius:8px;padding:6px 8px}
.vh{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
@media (max-width:480px){.panel{right:0;bottom:0;width:100vw;height:100%;border:0;border-radius:0}}`;
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
  const emit = (name, detail) => window.dispatchEvent(new CustomEvent(`edgechat:${name}`, { detail }));

  class HttpError extends Error {}
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

  window.__edgechatUI = (cfg, root, launcher) => {
    const keyConversation = `edgechat.${cfg.site}.conversation`;
    const keyVisitor = `edgechat.${cfg.site}.visitor`;
    const store = {
      get(k) { try { return localStorage.getItem(k); } catch { return null; } },
      set(k, v) { try { localStorage.setItem(k, v); } catch { /* storage unavailable */ } },
      remove(k) { try { localStorage.removeItem(k); } catch { /* storage unavailable */ } },
    };
    const visitor = () => {
      let id = store.get(keyVisitor);
      if (!id) {
        id = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
        store.set(keyVisitor, id);
      }
      return id;
    };

    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
    const panel = make('section', 'panel');
    panel.hidden = true;
    panel.id = 'panel';
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
    root.append(panel);
    launcher.setAttribute('aria-controls', 'panel');

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
    const showOffline = () => { notice.textContent = navigator.onLine ? '' : 'You are offline. Messages will fail until the connection is back.'; };
    window.addEventListener('online', showOffline);
    window.addEventListener('offline', showOffline);

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
    async function ask(question) {
      notice.textContent = '';
      addMessage('user', question);
      const view = answerView();
      setBusy(1);
      const request = { site: cfg.site, message: question, visitor: visitor() };
      const conversation = store.get(keyConversation);
      if (conversation) request.conversation = conversation;
      let ids = null, lastId = null, result = null;
      try {
        if (!navigator.onLine) throw new HttpError('You are offline.');
        let response = await fetch(`${cfg.edge}/v1/chat`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Accept: 'text/event-stream' },
          body: JSON.stringify(request),
        }).catch(() => { throw new HttpError('Could not reach the chat service.'); });
        for (let attempt = 0; ; attempt++) {
          if (!response.ok || !response.body) throw await httpError(response);
          try {
            for await (const { event, id, data } of readEvents(response.body)) {
              if (id) lastId = id;
              if (event === 'ready') {
                ids = { conversation: String(data.conversation), message: String(data.message) };
                store.set(keyConversation, ids.conversation);
                view.ready();
              } else if (event === 'token' && typeof data.text === 'string') {
                view.token(data.text);
                emit('token', { text: data.text });
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
          response = await fetch(`${cfg.edge}/v1/chat/${encodeURIComponent(ids.message)}/events`, {
            headers: { Accept: 'text/event-stream', ...(lastId ? { 'Last-Event-ID': lastId } : {}) },
          }).catch(() => ({ ok: false, status: 0, json: async () => null, headers: new Headers() }));
        }
        emit('answer', result);
        return result.text;
      } catch (err) {
        view.fail(err instanceof HttpError ? err.message : 'Something went wrong.');
        throw err;
      } finally {
        setBusy(-1);
      }
    }

    const send = (raw) => {
      const text = String(raw || '').trim();
      if (!text) return Promise.reject(new Error('edgechat: empty message'));
      const run = queue.then(() => ask(text));
      queue = run.catch(() => {});
      return run;
    };
    const open = () => {
      panel.hidden = false;
      launcher.setAttribute('aria-expanded', 'true');
      input.focus();
    };
    const hide = () => {
      panel.hidden = true;
      launcher.setAttribute('aria-expanded', 'false');
      launcher.focus();
    };

    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const text = input.value;
      input.value = '';
      send(text).catch(() => {});
    });
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        form.requestSubmit();
      }
    });
    panel.addEventListener('keydown', (e) => { if (e.key === 'Escape') hide(); });
    close.addEventListener('click', hide);

    async function loadHistory() {
      const id = store.get(keyConversation);
      if (!id) return;
      try {
        const response = await fetch(`${cfg.edge}/v1/conversations/${encodeURIComponent(id)}`, { headers: { Accept: 'application/json' } });
        if (response.status === 404 || response.status === 400) { store.remove(keyConversation); return; }
        if (!response.ok) throw await httpError(response);
        const history = await response.json();
        for (const m of Array.isArray(history.messages) ? history.messages : []) {
          addMessage(m.role === 'user' ? 'user' : 'assistant', String(m.text || '')).el.classList.add('history');
        }
      } catch {
        notice.textContent = 'Could not load the earlier conversation.';
      }
    }
    queue = loadHistory().then(showOffline);
    queue.then(() => emit('ready', {}));
    return { open, close: hide, toggle: () => (panel.hidden ? open() : hide()), send };
  };
})();
