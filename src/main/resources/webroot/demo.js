// edgechat demo page: the examples drive the embedded widget through its script API.
'use strict';

document.querySelectorAll('.example').forEach((button) => button.addEventListener('click', () => {
  if (!window.EdgeChat) return; // the widget script has not run yet
  window.EdgeChat.open();
  window.EdgeChat.send(button.textContent).catch(() => { /* the widget shows the error */ });
}));
