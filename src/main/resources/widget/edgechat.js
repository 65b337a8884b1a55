// edgechat loader: a launcher in a shadow root; the chat UI loads on intent (hover, focus, click) or when idle.
(() => {
  'use strict';
  if (window.EdgeChat) return;
  const tag = document.currentScript || document.querySelector('script[src*="/widget/edgechat.js"]');
  if (!tag) return;
  const d = tag.dataset;
  const edge = ((d.edges || '').split(',')[0].trim() || new URL(tag.src).origin).replace(/\/+$/, '');
  const cfg = {
    site: d.site || 'demo', title: d.title || 'Chat with us', theme: /^(light|dark)$/.test(d.theme) ? d.theme : 'auto',
    edge, ui: new URL('__EDGECHAT_UI__', tag.src).href,
  };
  const css = `:host{--bg:#fff;--fg:#1c1e21;--muted:#5f6368;--accent:#2456c8;--on-accent:#fff;--bubble:#eef1f5;
--border:#cfd4dc;--error:#b3261e;all:initial;font:15px/1.45 system-ui,sans-serif;color-scheme:light}
:host([data-theme=dark]){--bg:#1f2125;--fg:#e8eaed;--muted:#a0a4ab;--accent:#8ab4f8;--on-accent:#10131a;
--bubble:#2d3036;--border:#454a52;--error:#f2b8b5;color-scheme:dark}
@media (prefers-color-scheme:dark){:host([data-theme=auto]){--bg:#1f2125;--fg:#e8eaed;--muted:#a0a4ab;
--accent:#8ab4f8;--on-accent:#10131a;--bubble:#2d3036;--border:#454a52;--error:#f2b8b5;color-scheme:dark}}
.launcher{position:fixed;right:20px;bottom:20px;z-index:2147483000;width:56px;height:56px;border-radius:50%;
border:0;background:var(--accent);color:var(--on-accent);cursor:pointer;box-shadow:0 4px 14px #0004;display:grid;place-items:center}
.launcher svg{width:26px;height:26px;fill:currentColor}
.launcher:focus-visible{outline:3px solid var(--fg);outline-offset:3px}`;

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
  root.append(launcher);

  let loading = null;
  const load = () => loading || (loading = new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = cfg.ui;
    script.async = true;
    script.crossOrigin = 'anonymous';
    script.onload = () => (window.__edgechatUI
      ? resolve(window.__edgechatUI(cfg, root, launcher))
      : reject(new Error('edgechat: the chat UI did not start')));
    script.onerror = () => { loading = null; reject(new Error('edgechat: the chat UI could not be loaded')); };
    document.head.append(script);
  }));
  const withUI = (f) => load().then(f);

  window.EdgeChat = {
    open: () => withUI((ui) => ui.open()),
    close: () => withUI((ui) => ui.close()),
    send: (text) => withUI((ui) => ui.send(text)),
  };
  launcher.addEventListener('click', () => withUI((ui) => ui.toggle()));
  for (const intent of ['pointerenter', 'focus', 'touchstart']) launcher.addEventListener(intent, () => load().catch(() => {}), { once: true, passive: true });
  if (d.open !== undefined && d.open !== 'false') window.EdgeChat.open();
  else if ('requestIdleCallback' in window) requestIdleCallback(() => load().catch(() => {}), { timeout: 5000 });
  else setTimeout(() => load().catch(() => {}), 3000);
})();
