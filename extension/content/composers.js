// Postvakt content scripts: finding composers. A composer is a textarea or
// the root of a contenteditable region, found from an event's target across
// open shadow roots; this file also says what kind of text it holds (post,
// reply, message) and whether it sends on Enter.
(() => {
  'use strict';
  const pv = (globalThis.__postvakt = globalThis.__postvakt || {});
  if (pv.composers) return;

  function detectPlatform() {
    const meta = document.querySelector('meta[name="postvakt-platform"]');
    if (meta) return meta.getAttribute('content') || 'other';
    const h = location.hostname;
    if (/(^|\.)facebook\.com$/.test(h)) return 'facebook';
    if (/(^|\.)instagram\.com$/.test(h)) return 'instagram';
    if (/(^|\.)linkedin\.com$/.test(h)) return 'linkedin';
    if (/(^|\.)(x|twitter)\.com$/.test(h)) return 'x';
    if (/(^|\.)youtube\.com$/.test(h)) return 'youtube';
    if (/(^|\.)tiktok\.com$/.test(h)) return 'tiktok';
    return 'other';
  }

  /** The innermost target of an event, inside open shadow roots. */
  function targetOf(e) {
    const p = e.composedPath ? e.composedPath() : [];
    return p[0] || e.target;
  }

  /** The composer containing node: a textarea or the root of a contenteditable. */
  function composerOf(node) {
    for (let n = node; n; n = n.parentNode || n.host) {
      if (n.nodeType !== 1) continue;
      if (n.tagName === 'TEXTAREA') return n;
      if (n.isContentEditable) {
        let root = n;
        while (root.parentElement && root.parentElement.isContentEditable) root = root.parentElement;
        return root;
      }
    }
    return null;
  }

  const SELECTOR = 'textarea, [contenteditable="true"], [contenteditable=""], [contenteditable="plaintext-only"]';

  /** Whether outer contains inner, also when inner is inside shadow roots below outer. */
  function containsDeep(outer, inner) {
    for (let n = inner; n; n = n.parentNode || n.host) if (n === outer) return true;
    return false;
  }

  const BOUNDARY = /^(dialog|alertdialog|form|article)$/;

  /** A container that holds one thing: a form, a dialog, a post in a feed. */
  function isBoundary(n) {
    if (n.nodeType !== 1) return false;
    if (n.tagName === 'FORM' || n.tagName === 'DIALOG' || n.getAttribute('aria-modal') === 'true') return true;
    return BOUNDARY.test(n.getAttribute('role') || '');
  }

  /**
   * The composer a control (a publish button, a form) belongs to: the
   * active composer when it is in the same container, else the first
   * composer in the nearest container that holds one. The search stops at
   * a form, a dialog or a post in a feed: a «Del» or «Svar» button under
   * someone else's post does not belong to the writer's draft. A control
   * outside any of them belongs to the active composer.
   */
  function composerFor(node, active) {
    if (node && node.form) {
      const inForm = node.form.querySelector(SELECTOR);
      if (inForm) return composerOf(inForm);
    }
    for (let n = node && (node.parentNode || node.host); n; n = n.parentNode || n.host) {
      if (n.nodeType !== 1 && n.nodeType !== 11) continue;
      if (n === document.body || n === document.documentElement) break;
      if (active && active.isConnected && containsDeep(n, active)) return active;
      const c = n.querySelector && n.querySelector(SELECTOR);
      if (c) return composerOf(c);
      if (isBoundary(n)) return null;
    }
    return active && active.isConnected ? active : null;
  }

  function labelOf(el) {
    return `${el.getAttribute('aria-label') || ''} ${el.getAttribute('placeholder') || ''} ${el.getAttribute('aria-placeholder') || ''}`.toLowerCase();
  }

  function kindOf(el) {
    const k = el.closest && el.closest('[data-postvakt-kind]');
    if (k) return k.getAttribute('data-postvakt-kind');
    const label = labelOf(el);
    if (/kommentar|kommenter|comment|svar|reply|answer/.test(label)) return 'reply';
    if (/melding|message|chat/.test(label)) return 'message';
    return 'post';
  }

  /**
   * Whether Enter (without Shift) sends what is in the composer: said by
   * the page (enterkeyhint, a single-line textbox, data-postvakt-enter),
   * else assumed for comments, replies and messages, which send on Enter on
   * every platform Postvakt knows.
   */
  function sendsOnEnter(el) {
    const marked = el.closest && el.closest('[data-postvakt-enter]');
    if (marked) return marked.getAttribute('data-postvakt-enter') === 'send';
    const hint = (el.getAttribute('enterkeyhint') || '').toLowerCase();
    if (hint === 'send' || hint === 'go' || hint === 'done') return true;
    if (hint === 'enter') return false;
    if (el.getAttribute('aria-multiline') === 'false') return true;
    const k = kindOf(el);
    return k === 'reply' || k === 'message';
  }

  pv.composers = { platform: detectPlatform(), targetOf, composerOf, composerFor, containsDeep, kindOf, sendsOnEnter, SELECTOR };
})();
