// edgechat demo page: a plain chat with the `demo` site over POST /v1/chat (SSE).
'use strict';

const SITE = 'demo';
const KEY_CONVERSATION = 'edgechat.demo.conversation';
const KEY_VISITOR = 'edgechat.demo.visitor';
const CACHE_LABELS = { hit: 'cache hit', semantic: 'semantic cache hit', miss: 'cache miss' };

const $ = (id) => document.getElementById(id);
const log = $('log');
const input = $('message');
const sendButton = $('send');
const stopButton = $('stop');
const notice = $('notice');
const examples = document.querySelectorAll('.example');

let controller = null; // AbortController of the answer being streamed
let loading = false;   // history is being loaded

const store = {
  get(key) { try { return localStorage.getItem(key); } catch { return null; } },
  set(key, value) { try { localStorage.setItem(key, value); } catch { /* storage unavailable */ } },
  remove(key) { try { localStorage.removeItem(key); } catch { /* storage unavailable */ } },
};

/** Creates an element; text always goes through textContent, never innerHTML. */
function make(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function visitorId() {
  let id = store.get(KEY_VISITOR);
  if (!id) {
    id = typeof crypto.randomUUID === 'function' // only in secure contexts (https, localhost)
      ? crypto.randomUUID()
      : Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
    store.set(KEY_VISITOR, id);
  }
  return id;
}

function updateControls() {
  const busy = controller !== null || loading;
  sendButton.disabled = busy;
  examples.forEach((b) => { b.disabled = busy; });
  stopButton.hidden = controller === null;
  log.setAttribute('aria-busy', String(controller !== null)); // announce the answer once, when complete
}

const scrollToEnd = () => { log.scrollTop = log.scrollHeight; };

function addMessage(role, text) {
  const el = make('div', `msg msg-${role}`);
  const body = make('div', 'text', text);
  el.append(make('span', 'visually-hidden', role === 'user' ? 'You said: ' : 'Answer: '), body);
  log.append(el);
  scrollToEnd();
  return { el, body };
}

function safeUrl(value) {
  let url;
  try { url = new URL(String(value)); } catch { return null; } // relative URLs throw: they stay plain text
  return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
}

/** The assistant bubble of one answer, created on send and filled by the stream. */
function answerBubble() {
  const { el, body } = addMessage('assistant', '');
  const typing = make('span', 'typing');
  typing.hidden = true;
  typing.append(make('span', 'visually-hidden', 'Assistant is typing'), make('i'), make('i'), make('i'));
  el.append(typing);
  let region = '';
  const end = (metaText) => {
    if (metaText) el.append(make('p', 'meta', metaText));
    typing.hidden = true;
    scrollToEnd();
  };
  return {
    ready(data) { region = data.region ? String(data.region) : ''; typing.hidden = false; scrollToEnd(); },
    token(text) { body.append(text); scrollToEnd(); },
    sources(items) {
      if (!Array.isArray(items) || items.length === 0) return;
      const list = make('ul', 'sources');
      for (const item of items) {
        const title = String((item && (item.title || item.url)) || 'Untitled source');
        const url = item ? safeUrl(item.url) : null;
        const li = make('li', '', url ? undefined : title);
        if (url) {
          const a = make('a', '', title);
          Object.assign(a, { href: url, target: '_blank', rel: 'noopener noreferrer' });
          li.append(a);
        }
        list.append(li);
      }
      el.insertBefore(make('p', 'sources-title', 'Sources'), typing);
      el.insertBefore(list, typing);
      scrollToEnd();
    },
    done(data) {
      if (!body.textContent) body.textContent = '(no answer)';
      const parts = [`answered in ${Number(data.ms) || 0} ms`, CACHE_LABELS[data.cache] || `cache ${data.cache}`];
      if (data.stale) parts.push('stale');
      if (region) parts.push(`region ${region}`);
      end(parts.join(' · '));
    },
    fail(message) {
      el.classList.add('msg-error');
      el.insertBefore(make('p', 'error', message || 'Something went wrong.'), typing);
      end();
    },
    stopped() { end(body.textContent ? 'stopped' : 'stopped before an answer arrived'); },
  };
}

/** Parses one SSE event block; null for comment-only (heartbeat) or unreadable blocks. */
function parseEvent(block) {
  let event = 'message';
  const data = [];
  for (const line of block.split('\n')) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  if (data.length === 0) return null;
  try { return { event, data: JSON.parse(data.join('\n')) }; } catch { return null; }
}

/** Yields {event, data} from a text/event-stream body; events may be split across chunks. */
async function* readEvents(stream) {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      let text = buffer + (done ? decoder.decode() : decoder.decode(value, { stream: true }));
      let held = '';
      if (!done && text.endsWith('\r')) { held = '\r'; text = text.slice(0, -1); } // CRLF split across chunks
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
    const last = parseEvent(buffer); // a final event without its blank line
    if (last) yield last;
  } finally {
    reader.cancel().catch(() => {});
  }
}

async function errorMessage(response) {
  const body = await response.json().catch(() => null); // non-2xx bodies are {"error":{"code","message"}}
  return body && body.error && body.error.message ? String(body.error.message) : `Request failed (HTTP ${response.status}).`;
}

async function send(raw) {
  const text = raw.trim();
  if (!text || controller || loading) return;
  input.value = '';
  input.focus(); // the send or example button is about to be disabled
  notice.textContent = '';
  addMessage('user', text);
  const answer = answerBubble();
  controller = new AbortController();
  updateControls();

  const request = { site: SITE, message: text, visitor: visitorId() };
  const conversation = store.get(KEY_CONVERSATION);
  if (conversation) request.conversation = conversation;
  let finished = false;
  try {
    const response = await fetch('v1/chat', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'text/event-stream' },
      body: JSON.stringify(request),
      signal: controller.signal,
    });
    if (!response.ok || !response.body) throw new Error(await errorMessage(response));
    for await (const { event, data } of readEvents(response.body)) {
      if (event === 'ready') {
        if (data.conversation) store.set(KEY_CONVERSATION, String(data.conversation));
        answer.ready(data);
      } else if (event === 'token') {
        if (typeof data.text === 'string') answer.token(data.text);
      } else if (event === 'sources') {
        answer.sources(data.items);
      } else if (event === 'done' || event === 'error') {
        if (event === 'done') answer.done(data);
        else answer.fail(String(data.message || data.code || ''));
        finished = true;
        break;
      }
    }
    if (!finished) answer.fail('The answer was cut off. Please try again.');
  } catch (err) {
    if (err && err.name === 'AbortError') answer.stopped();
    else answer.fail(err instanceof TypeError ? 'Could not reach the server.' : String(err && err.message));
  } finally {
    controller = null;
    updateControls();
  }
}

async function loadHistory() {
  const id = store.get(KEY_CONVERSATION);
  if (!id) return;
  loading = true;
  updateControls();
  try {
    const response = await fetch(`v1/conversations/${encodeURIComponent(id)}`, { headers: { Accept: 'application/json' } });
    if (response.status === 404 || response.status === 400) {
      store.remove(KEY_CONVERSATION); // expired or unknown: start afresh
    } else if (!response.ok) {
      notice.textContent = `Could not load the earlier conversation: ${await errorMessage(response)}`;
    } else {
      const history = await response.json();
      if (store.get(KEY_CONVERSATION) !== id || !Array.isArray(history.messages)) return; // reset meanwhile
      for (const m of history.messages) addMessage(m.role === 'user' ? 'user' : 'assistant', String(m.text || ''));
    }
  } catch {
    notice.textContent = 'Could not load the earlier conversation.';
  } finally {
    loading = false;
    updateControls();
  }
}

$('composer').addEventListener('submit', (e) => {
  e.preventDefault();
  send(input.value);
});

input.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
    e.preventDefault();
    send(input.value);
  }
});

stopButton.addEventListener('click', () => {
  if (controller) controller.abort();
  input.focus();
});

examples.forEach((button) => button.addEventListener('click', () => send(button.textContent)));

$('new-conversation').addEventListener('click', () => {
  if (controller) controller.abort();
  store.remove(KEY_CONVERSATION);
  log.replaceChildren();
  notice.textContent = 'Started a new conversation.';
  input.focus();
});

updateControls();
loadHistory();
