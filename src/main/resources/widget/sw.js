// edgechat service worker (scope /widget/ of an edge): keeps the chat UI's shell and the visitor's conversation, so
// the frame opens and shows the conversation offline. Registered by the chat UI from inside /widget/frame.html.
'use strict';
const SHELL = 'edgechat-shell-__EDGECHAT_SHELL__'; // the shell's content hash: a new release installs a new worker
const CONVERSATIONS = 'edgechat-conversations';
const FILES = ['/widget/frame.html', '/widget/__EDGECHAT_UI__'];

self.addEventListener('install', (event) => {
  // the HTTP cache may answer: the UI's name is its hash (immutable), the frame is revalidated (no-cache)
  event.waitUntil(caches.open(SHELL)
    .then((cache) => cache.addAll(FILES))
    .then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k.startsWith('edgechat-shell-') && k !== SHELL).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

/** The network's answer (kept for later), or the kept one when the network cannot be reached. */
async function networkFirst(request) {
  const cache = await caches.open(CONVERSATIONS);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(request, response.clone());
    else if (response.status === 404) await cache.delete(request);
    return response;
  } catch (err) {
    const kept = await cache.match(request);
    if (kept) return kept;
    throw err;
  }
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (FILES.includes(url.pathname)) {
    // the shell changes only with a new worker (its name holds the hash): cache first, the network if evicted
    event.respondWith(caches.open(SHELL).then((cache) => cache.match(url.pathname)).then((hit) => hit || fetch(request)));
  } else if (/^\/v1\/conversations\/[^/]+$/.test(url.pathname)) {
    event.respondWith(networkFirst(request));
  }
});
