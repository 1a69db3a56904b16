// Postvakt content scripts: the core. Finds the composer in use, checks
// its text whenever it changes (in the extension's service worker; the text
// never leaves the browser) and keeps the layer in step.
//
// The content scripts are ordered files sharing one object in the isolated
// world (globalThis.__postvakt), loaded in the manifest's order:
// messages.js (the catalogue, copied from lib/messages.js at build),
// strings.js, composers.js (finding composers), text.js (reading their
// text), layer.js (badge, panel, underlines, dialogs), content.js (this
// file: checking and observing), guard.js (the publish guard), photos.js.
//
// Changes are observed on the composer itself, not only through input
// events: editors such as Lexical, Draft.js, Quill and ProseMirror handle
// paste, drop, cut, undo, Enter and deletion themselves, and no input
// event reaches the page. A MutationObserver on the active composer sees
// every change to its text however it is made; beforeinput, paste, drop,
// cut and the end of an IME composition schedule a check in the next frame
// as well, for editors that apply a change later.
(() => {
  'use strict';
  const pv = (globalThis.__postvakt = globalThis.__postvakt || {});
  if (pv.core) return;
  const { MSG, ERR } = globalThis.__postvaktMessages;
  const { platform, targetOf, composerOf, kindOf } = pv.composers;
  const { extract } = pv.text;

  pv.enabled = true;
  pv.active = null;

  function send(msg) {
    return new Promise((resolve) => {
      try {
        chrome.runtime.sendMessage(msg, (resp) => {
          if (chrome.runtime.lastError) resolve({ error: { code: ERR.UNAVAILABLE, message: chrome.runtime.lastError.message } });
          else resolve(resp);
        });
      } catch (e) {
        resolve({ error: { code: ERR.UNAVAILABLE, message: String(e) } });
      }
    });
  }

  // Settings (language, on/off for this site) are asked for at load and
  // again whenever the worker says they changed, so the popup's switch and
  // the options take effect without reloading the page.
  function loadSettings() {
    return send({ type: MSG.SETTINGS }).then((s) => {
      if (!s || s.error) return;
      pv.lang = s.language || 'nb';
      const was = pv.enabled;
      pv.enabled = s.enabled !== false;
      if (!pv.enabled) {
        pv.layer.hideLayer();
      } else if (pv.active) {
        pv.layer.render(pv.active);
        if (!was) schedule(pv.active); // Typing while off went unchecked.
      }
    });
  }

  /** @type {WeakMap<Element, any>} */
  const states = new WeakMap();
  /** Counts rule changes; a report from an older epoch is not reused. */
  let rulesEpoch = 0;

  function state(el) {
    let st = states.get(el);
    if (!st) {
      st = { seq: 0, inflight: false, dirty: false, report: null, text: '', checking: null, images: [], checkedText: null, checkedImages: '' };
      states.set(el, st);
    }
    return st;
  }

  function draftOf(el) {
    const { text } = extract(el);
    const st = state(el);
    return { id: `d-${Date.now()}`, text, platform, kind: kindOf(el), images: st.images.map((i) => i.decl) };
  }

  // Changes are coalesced rather than delayed: the first is checked at
  // once, and changes that arrive while a check runs are checked together
  // when it returns, so findings follow the text within one check's time
  // and the worker never has more than one check per composer queued.
  function schedule(el) {
    if (!pv.enabled || composing) return;
    const st = state(el);
    if (st.inflight) {
      st.dirty = true;
      return;
    }
    st.inflight = true;
    checkNow(el).finally(() => {
      st.inflight = false;
      if (st.dirty) {
        st.dirty = false;
        schedule(el);
      }
    });
  }

  /** Checks the composer's text as it is now (or returns the running check of the same text). */
  function checkNow(el) {
    const st = state(el);
    const d = draftOf(el);
    // Photos belong to the post they were attached to. Once it is published
    // and the composer shows other text (the platform emptied it, often
    // without an input event), they are forgotten; the same text again
    // (a publish that failed, then a retry) keeps them.
    if (st.publishedText !== undefined && d.text !== st.publishedText) {
      st.images = [];
      st.publishedText = undefined;
      d.images = [];
    }
    // A clean text let through on Enter, now gone from the composer: sent.
    if (st.enter && !d.text.trim()) pv.guard.sentAfterEnter(el);
    const imgKey = JSON.stringify(d.images);
    if (st.checking && st.checkedText === d.text && st.checkedImages === imgKey && st.checkedEpoch === rulesEpoch) return st.checking;
    const seq = ++st.seq;
    st.checkedText = d.text;
    st.checkedImages = imgKey;
    st.checkedEpoch = rulesEpoch;
    // An empty composer has nothing to find (the engine would miss a link
    // to the organisation's site in it); it is not sent to be checked.
    const empty = !d.text.trim() && !d.images.length;
    const checked = empty ? Promise.resolve({ verdict: 'ok', findings: [], bundle: '' }) : send({ type: MSG.CHECK, draft: d });
    st.checking = checked.then((rep) => {
      if (seq === st.seq) {
        st.report = rep;
        st.text = d.text;
        if (el === pv.active && pv.enabled) pv.layer.render(el);
        // Test builds add a hook here (tests/e2e/test-hook.js); the
        // shipped extension tells the page nothing.
        if (pv.onChecked) pv.onChecked(el, rep, d);
      }
      return { rep, draft: d };
    });
    return st.checking;
  }

  // ---- observing the active composer ---------------------------------------

  let composing = false;
  let observer = null;
  let resizer = null;
  let rootsObserver = null;
  let frame = 0;

  /** Checks the active composer in the next frame (once, however often asked). */
  function scheduleFrame() {
    if (frame) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      if (pv.active) schedule(pv.active);
    });
  }

  /** Watches a composer's text and its place in the page while it is the active one. */
  function observe(el) {
    unobserve();
    // Text changes: every mutation inside the editor, however it was made.
    observer = new MutationObserver(() => { if (el === pv.active) schedule(el); });
    if (el.tagName !== 'TEXTAREA') observer.observe(el, { childList: true, subtree: true, characterData: true });
    // Its removal or hiding (a single-page app closing the dialog) and
    // changes around it that move it: the roots it lives in, up through
    // shadow hosts; the layer is redrawn only if the composer moved. A
    // textarea's value set by a script shows up here too, at the next frame.
    rootsObserver = new MutationObserver(() => {
      if (!el.isConnected) composerGone(el);
      else pv.layer.requestReflow(false);
      if (el.tagName === 'TEXTAREA' && el.value !== state(el).checkedText) scheduleFrame();
    });
    for (let n = el; n;) {
      const r = n.getRootNode();
      rootsObserver.observe(r === document ? document.documentElement : r, {
        childList: true, subtree: true, attributes: true, attributeFilter: ['style', 'class', 'hidden', 'open'],
      });
      n = r.host;
    }
    // The composer grows as it is written in, and can scroll inside itself
    // (scroll events do not leave a shadow root, so the window misses them).
    resizer = new ResizeObserver(() => pv.layer.requestReflow());
    resizer.observe(el);
    el.addEventListener('scroll', pv.layer.requestReflow, { passive: true });
  }

  function unobserve() {
    if (observer) observer.disconnect();
    if (rootsObserver) rootsObserver.disconnect();
    if (resizer) resizer.disconnect();
    if (pv.active) pv.active.removeEventListener('scroll', pv.layer.requestReflow);
    observer = rootsObserver = resizer = null;
  }

  /** Makes el the composer in use: the layer follows it and its changes are checked. */
  function activate(el) {
    if (pv.active === el) return;
    unobserve();
    pv.active = el;
    observe(el);
    pv.guard.watchRoot(el);
    pv.layer.render(el);
    // The writer starts on a post: a moment to revalidate the rules
    // (the worker does it at most every 30 s).
    send({ type: MSG.FOCUS });
  }

  /** The composer left the page or was hidden: the layer goes too. */
  function composerGone(el) {
    if (!el.isConnected && state(el).enter) pv.guard.sentAfterEnter(el);
    if (pv.active !== el) return;
    if (!el.isConnected) {
      unobserve();
      pv.active = null;
    }
    pv.layer.hideLayer();
  }

  /** A change to a composer's text is coming or has just happened. */
  function onActivity(e) {
    if (!pv.enabled || pv.layer.isOwn(e)) return; // The reason field of Postvakt's own dialog is no composer.
    const el = composerOf(targetOf(e));
    if (!el) return;
    if (pv.active !== el) activate(el);
    else if (e.type === 'focusin' && pv.layer) pv.layer.render(el); // It may have been hidden and shown again.
    switch (e.type) {
      case 'input':
        // A composition that ended without compositionend (seen when focus
        // leaves mid-word) must not stop the checks.
        if (!e.isComposing) composing = false;
        schedule(el);
        break;
      case 'focusin':
        if (!state(el).checking) schedule(el);
        break;
      case 'compositionstart':
        composing = true;
        break;
      case 'compositionend':
        composing = false;
        scheduleFrame();
        break;
      default: // beforeinput, paste, drop, cut: the editor may apply it later.
        scheduleFrame();
    }
  }
  for (const type of ['input', 'focusin', 'beforeinput', 'paste', 'drop', 'cut', 'compositionstart', 'compositionend']) {
    document.addEventListener(type, onActivity, true);
  }

  pv.core = { send, state, draftOf, schedule, checkNow, activate, composerGone, get rulesEpoch() { return rulesEpoch; } };

  loadSettings();
  try {
    chrome.runtime.onMessage.addListener((msg) => {
      if (msg && msg.type === MSG.SETTINGS_CHANGED) loadSettings();
      if (msg && msg.type === MSG.RULES_CHANGED) {
        // A new bundle or crisis state: every report is stale, and the
        // composer in use is checked again at once.
        rulesEpoch++;
        if (pv.active && pv.enabled) schedule(pv.active);
      }
      return false;
    });
  } catch {
    // The extension was reloaded under this page; nothing to listen to.
  }
})();
