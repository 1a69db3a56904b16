// Postvakt content scripts: the publish guard. Every way a composer's text
// leaves the page is held until the text, as it is at that moment, has
// been checked: a click (or Enter/Space) on a control that publishes, Enter
// in a composer that sends on Enter, Ctrl/Meta/Alt+Enter, and a form's
// submit. A blocking finding stops it; a warning asks first; a clean text
// goes on at once. Whatever is decided is audited.
(() => {
  'use strict';
  const pv = (globalThis.__postvakt = globalThis.__postvakt || {});
  if (pv.guard) return;
  const { MSG } = globalThis.__postvaktMessages;
  const T = (...a) => pv.T(...a);
  const { targetOf, composerOf, composerFor, sendsOnEnter, SELECTOR } = pv.composers;
  const { extract } = pv.text;
  const state = (comp) => pv.core.state(comp);

  // Label families of controls that publish, in bokmål, nynorsk and
  // English: a label that starts with one of these words («Publiser nå»,
  // «Del innlegg», «Legg ut», «Send inn», «Share now», «Post»), and no
  // longer word that merely starts the same way («Delete», «Postkasse»).
  const PUBLISH_LABEL = new RegExp(
    '^(?:publis[eé]r\\S*|publish\\S*|post(?:a|e|er)?|del|deel|legg ut|send|sende|svar\\S*|kommenter\\S*|' +
    'planlegg\\S*|tweet\\S*|reply|share|comment|schedule|submit)(?![\\p{L}\\p{N}])', 'iu');
  const MAX_LABEL = 60;

  /** Whether a label reads as publishing. */
  function publishLabel(label) {
    const t = String(label || '').replace(/\s+/g, ' ').trim();
    return t.length > 0 && t.length <= MAX_LABEL && PUBLISH_LABEL.test(t);
  }

  /** A button, an input button, role=button or a link that acts as one. */
  function isControl(n) {
    const tag = n.tagName;
    if (tag === 'BUTTON') return true;
    if (tag === 'INPUT') return /^(submit|button|image)$/i.test(n.type);
    const role = n.getAttribute('role');
    if (role === 'button' || role === 'menuitem') return true;
    if (tag === 'A') {
      const href = n.getAttribute('href');
      return href === null || href === '' || href.startsWith('#') || /^javascript:/i.test(href) || role === 'link';
    }
    return false;
  }

  function labelsOf(n) {
    const out = [n.getAttribute('aria-label'), n.getAttribute('title'), n.textContent];
    if (n.tagName === 'INPUT') out.push(n.value);
    const by = n.getAttribute('aria-labelledby');
    if (by) {
      const root = n.getRootNode();
      out.push(by.split(/\s+/).map((id) => (root.getElementById ? root.getElementById(id) : null)?.textContent || '').join(' '));
    }
    return out;
  }

  /** Whether a control is its form's submit button, in a form that holds a composer. */
  function submitsComposerForm(n) {
    const form = n.form;
    if (!form || !form.querySelector(SELECTOR)) return false;
    return (n.tagName === 'BUTTON' && n.type === 'submit') || (n.tagName === 'INPUT' && /^(submit|image)$/i.test(n.type));
  }

  /**
   * The control that publishes, among the elements an event went through
   * (innermost first): marked by the page or known by its test id, labelled
   * as publishing (text, aria-label, title), or its composer form's submit
   * button. Every enclosing control is looked at, not only the first.
   */
  function publishControlOf(path) {
    for (const n of path) {
      if (!n || n.nodeType !== 1) continue;
      if (n === document.body || n === document.documentElement) break;
      if (!isControl(n)) continue;
      if (n.hasAttribute('data-postvakt-publish')) return n;
      if (/^tweetButton(Inline)?$/.test(n.getAttribute('data-testid') || '')) return n;
      if (n.classList.contains('share-actions__primary-action')) return n;
      if (labelsOf(n).some(publishLabel)) return n;
      if (submitsComposerForm(n)) return n;
    }
    return null;
  }

  let bypass = false;
  /** Set while a guard is deciding or a dialog is open: further attempts wait for it. */
  let pending = null;
  /** The last text let through, briefly: a publish that goes on in steps is not asked about twice. */
  let approved = null;

  function hasContent(comp) {
    return !!extract(comp).text.trim() || state(comp).images.length > 0;
  }

  function recentlyApproved(comp) {
    return approved && approved.comp === comp && performance.now() - approved.at < 1500 && extract(comp).text === approved.text;
  }

  /** Runs fn with the guard stood down (a replay of what the writer did). */
  function replaying(fn) {
    bypass = true;
    try {
      return fn();
    } finally {
      bypass = false;
    }
  }

  function auditEntry(action, reason, text, rep, draft) {
    return pv.core.send({
      type: MSG.AUDIT, action, reason: reason || '', text, report: rep && !rep.error ? rep : { findings: [], bundle: '' }, draft, host: location.host,
    });
  }

  /**
   * Enter in a composer that sends on Enter, when the text as it is now
   * was checked and is clean: the key keeps its own meaning (it sends, or
   * in a box that does not send after all, makes a new line) and is not
   * held. It is audited as published only if it sent, which shows as the
   * composer emptied or removed soon after (sentAfterEnter).
   */
  function cleanAsChecked(comp) {
    const st = state(comp);
    const { text } = extract(comp);
    const rep = st.report;
    if (!rep || rep.error || rep.verdict !== 'ok' || st.images.length) return false;
    if (st.text !== text || st.checkedText !== text || st.checkedEpoch !== pv.core.rulesEpoch || st.inflight) return false;
    st.enter = { text, rep, draft: pv.core.draftOf(comp), at: performance.now() };
    return true;
  }

  /** Called when a composer's text went empty or the composer went away. */
  function sentAfterEnter(comp) {
    const st = state(comp);
    const e = st.enter;
    st.enter = null;
    if (!e || performance.now() - e.at > 5000) return;
    st.publishedText = e.text;
    auditEntry('published', '', e.text, e.rep, e.draft);
  }

  /** Checks the composer's text as it is now and lets replay() run if the rules allow. */
  async function guard(comp, replay) {
    const { rep, draft } = await pv.core.checkNow(comp);
    const text = draft.text;
    const proceed = () => {
      state(comp).publishedText = text;
      approved = { comp, text, at: performance.now() };
      const r = replay();
      // A post the archive must have: offer to save it (content/journal.js).
      if (rep && rep.archive && window.__postvaktJournal) window.__postvaktJournal.offer({ text, platform: pv.composers.platform, lang: pv.lang });
      return r;
    };
    const audit = (action, reason) => auditEntry(action, reason, text, rep, draft);
    const { blockedDialog, warnDialog } = pv.layer;
    if (!rep || rep.error) {
      const ok = await warnDialog([], T('checkerDown'));
      if (!ok) return;
      await audit('overridden', ok.reason || 'checker unavailable');
      return proceed();
    }
    if (rep.verdict === 'block') {
      await audit('blocked');
      await blockedDialog(rep.findings.filter((f) => f.severity === 'block'));
      return;
    }
    if (rep.verdict === 'warn') {
      const ok = await warnDialog(rep.findings.filter((f) => f.severity !== 'info'));
      if (!ok) {
        await audit('cancelled');
        return;
      }
      await audit('overridden', ok.reason);
      return proceed();
    }
    await audit('published');
    return proceed();
  }

  /** Stops the event and guards; while another guard runs, the event is only stopped. */
  function hold(e, comp, replay) {
    e.preventDefault();
    e.stopImmediatePropagation();
    if (pending) return;
    pending = guard(comp, replay).finally(() => { pending = null; });
  }

  const active = () => (pv.enabled ? pv.active : null);

  // Clicks on a control that publishes.
  document.addEventListener('click', (e) => {
    if (bypass || !pv.enabled || !e.isTrusted || pv.layer.isOwn(e)) return;
    const btn = publishControlOf(e.composedPath());
    if (!btn) return;
    const comp = composerFor(btn, active());
    if (!comp || !hasContent(comp) || recentlyApproved(comp)) return;
    hold(e, comp, () => replaying(() => btn.click()));
  }, true);

  const KEY_EVENTS = ['keydown', 'keypress', 'keyup'];

  /** Replays a key the guard held, as keydown, keypress and keyup, to where it was typed. */
  function replayKey(target, e, fallback) {
    const init = {
      key: e.key, code: e.code, keyCode: e.keyCode, which: e.which, shiftKey: e.shiftKey, ctrlKey: e.ctrlKey,
      metaKey: e.metaKey, altKey: e.altKey, bubbles: true, cancelable: true, composed: true,
    };
    replaying(() => {
      let handled = false;
      for (const type of KEY_EVENTS) {
        const ev = new KeyboardEvent(type, init);
        // keyCode and which are read-only in the constructor's dictionary in Chromium.
        Object.defineProperty(ev, 'keyCode', { value: e.keyCode });
        Object.defineProperty(ev, 'which', { value: e.which });
        if (!target.dispatchEvent(ev) && type === 'keydown') handled = true;
      }
      if (!handled && fallback) fallback();
    });
  }

  // The trusted keypress and keyup of a key whose keydown was held.
  let swallow = '';
  for (const type of ['keypress', 'keyup']) {
    document.addEventListener(type, (e) => {
      if (bypass || !swallow || e.key !== swallow || !e.isTrusted) return;
      e.preventDefault();
      e.stopImmediatePropagation();
      if (type === 'keyup') swallow = '';
    }, true);
  }

  document.addEventListener('keydown', (e) => {
    if (bypass || !pv.enabled || !e.isTrusted || pv.layer.isOwn(e)) return;
    if (e.isComposing || e.keyCode === 229) return; // The Enter that ends an IME composition.
    const target = targetOf(e);
    const comp = composerOf(target);
    if (e.key === 'Enter' && comp) {
      const shortcut = e.ctrlKey || e.metaKey || e.altKey;
      if (!shortcut && (e.shiftKey || !sendsOnEnter(comp))) return; // A new line.
      if (!hasContent(comp) || recentlyApproved(comp)) return;
      if (!shortcut && cleanAsChecked(comp)) return;
      swallow = 'Enter';
      hold(e, comp, () => replayKey(target, e, shortcut ? null : () => newLine(comp)));
      return;
    }
    // Enter or Space on a focused control that publishes (a role=button
    // element gets no click from the keyboard).
    if ((e.key === 'Enter' || e.key === ' ') && !e.ctrlKey && !e.metaKey && !e.altKey) {
      const btn = publishControlOf(e.composedPath());
      if (!btn) return;
      const c = composerFor(btn, active());
      if (!c || !hasContent(c) || recentlyApproved(c)) return;
      swallow = e.key;
      hold(e, c, () => replayKey(target, e, () => btn.click()));
    }
  }, true);

  /**
   * The new line the writer asked for, when the page did not handle the
   * replayed Enter itself (a plain textarea or contenteditable): made with
   * the editing command, so the page's undo and input events see it.
   */
  function newLine(comp) {
    if (comp.tagName === 'TEXTAREA') document.execCommand('insertText', false, '\n');
    else document.execCommand('insertParagraph');
  }

  /** A form's submit (Enter in a field, a script's requestSubmit). */
  function onSubmit(e) {
    if (bypass || !pv.enabled || !e.isTrusted) return;
    const form = targetOf(e);
    if (!form || form.tagName !== 'FORM') return;
    const inForm = form.querySelector(SELECTOR);
    const comp = inForm ? composerOf(inForm) : null;
    if (!comp || !hasContent(comp) || recentlyApproved(comp)) return;
    const submitter = e.submitter;
    hold(e, comp, () => replaying(() => (submitter ? form.requestSubmit(submitter) : form.requestSubmit())));
  }
  document.addEventListener('submit', onSubmit, true);

  /** @type {WeakSet<Node>} */
  const roots = new WeakSet();
  /**
   * A submit does not leave a shadow root (it is not composed), so the
   * guard listens on the roots of the composers it sees too.
   */
  function watchRoot(comp) {
    for (let n = comp; n;) {
      const r = n.getRootNode();
      if (r === document || !r.host) return;
      if (!roots.has(r)) {
        roots.add(r);
        r.addEventListener('submit', onSubmit, true);
      }
      n = r.host;
    }
  }

  pv.guard = { publishLabel, publishControlOf, watchRoot, sentAfterEnter, get pending() { return pending; } };
})();
