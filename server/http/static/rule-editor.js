// The rule editor's live try-out: as the admin edits, the form is sent
// as «Prøv endringene» and the results (the examples' pass or fail, the
// sample text's findings, the diff) replace the section below the form.
// Without this script the button does the same with a page load.
'use strict';
(function () {
  const form = document.querySelector('form[data-live]');
  const out = document.getElementById('resultat');
  if (!form || !out) return;
  let timer = 0;
  let seq = 0;
  async function tryOut() {
    const n = ++seq;
    const body = new URLSearchParams(/** @type {any} */ (new FormData(form)));
    body.set('action', 'try');
    try {
      // Not form.action: the buttons named «action» shadow it.
      const resp = await fetch(form.getAttribute('action') || '', {
        method: 'POST', body, credentials: 'same-origin',
        headers: { 'X-Postvakt-Fragment': '1' },
      });
      if (n !== seq || !resp.ok && resp.status !== 422) return;
      const html = await resp.text();
      const doc = new DOMParser().parseFromString(html, 'text/html');
      const fresh = doc.getElementById('resultat');
      if (fresh) out.replaceChildren(...fresh.childNodes);
    } catch (e) {
      // The button still works.
    }
  }
  form.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(tryOut, 700);
  });
  form.addEventListener('change', () => {
    clearTimeout(timer);
    timer = setTimeout(tryOut, 300);
  });
})();
