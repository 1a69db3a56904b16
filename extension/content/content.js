// Postvakt content script: finds composers, checks their text as it is
// typed (in the extension's service worker; the text never leaves the
// browser), shows findings in the extension's own shadow-DOM layer, guards
// the publish action and asks about consent for attached photos.
//
// It never writes into the page's editor, never moves the caret and only
// takes focus for a dialog the writer opened by publishing or attaching.
(() => {
  'use strict';
  if (window.__postvaktLoaded) return;
  window.__postvaktLoaded = true;

  const STR = {
    nb: {
      findings: (n) => (n === 1 ? '1 funn' : `${n} funn`),
      clean: 'Ingen funn',
      suggestion: 'Forslag',
      why: 'Derfor',
      blockedTitle: 'Publiseringen er stoppet',
      blockedBody: 'Innlegget bryter retningslinjene. Rett opp dette før du publiserer:',
      warnTitle: 'Vil du publisere likevel?',
      warnBody: 'Postvakt fant dette i innlegget:',
      ack: 'Jeg har vurdert dette og vil publisere',
      reason: 'Begrunnelse (blir lagret i revisjonsloggen uten teksten i innlegget)',
      publishAnyway: 'Publiser likevel',
      cancel: 'Avbryt',
      close: 'Lukk',
      checkerDown: 'Postvakt kunne ikke sjekke innlegget. Vil du publisere uten sjekk?',
      imageTitle: (i, n) => `Bilde ${i} av ${n}`,
      qPersons: 'Viser bildet personer som kan kjennes igjen?',
      pNone: 'Nei, ingen kan kjennes igjen',
      pAdults: 'Ja, bare personer som er 15 år eller eldre',
      pMinors: 'Ja, og minst ett barn under 15 år',
      pUnknown: 'Vet ikke ennå',
      qConsent: 'Er det samtykke?',
      cNone: 'Nei, ikke samtykke fra alle',
      cGiven: 'Ja, alle som kan kjennes igjen har samtykket',
      cGuardian: 'Ja, og skriftlig samtykke fra foresatte til alle barn under 15',
      alt: 'Alternativ tekst (hva viser bildet?)',
      facesFound: (n) => (n === 1 ? 'Postvakt fant 1 ansikt i bildet.' : `Postvakt fant ${n} ansikter i bildet.`),
      noFaces: 'Postvakt fant ingen ansikter i bildet.',
      facesWarn: 'Postvakt fant ansikter i bildet. Er du sikker på at ingen kan kjennes igjen?',
      save: 'Lagre',
      skip: 'Hopp over',
    },
    nn: {
      findings: (n) => (n === 1 ? '1 funn' : `${n} funn`),
      clean: 'Ingen funn',
      suggestion: 'Forslag',
      why: 'Difor',
      blockedTitle: 'Publiseringa er stoppa',
      blockedBody: 'Innlegget bryt retningslinjene. Rett opp dette før du publiserer:',
      warnTitle: 'Vil du publisere likevel?',
      warnBody: 'Postvakt fann dette i innlegget:',
      ack: 'Eg har vurdert dette og vil publisere',
      reason: 'Grunngiving (blir lagra i revisjonsloggen utan teksten i innlegget)',
      publishAnyway: 'Publiser likevel',
      cancel: 'Avbryt',
      close: 'Lukk',
      checkerDown: 'Postvakt kunne ikkje sjekke innlegget. Vil du publisere utan sjekk?',
      imageTitle: (i, n) => `Bilete ${i} av ${n}`,
      qPersons: 'Viser biletet personar som kan kjennast att?',
      pNone: 'Nei, ingen kan kjennast att',
      pAdults: 'Ja, berre personar som er 15 år eller eldre',
      pMinors: 'Ja, og minst eitt barn under 15 år',
      pUnknown: 'Veit ikkje enno',
      qConsent: 'Er det samtykke?',
      cNone: 'Nei, ikkje samtykke frå alle',
      cGiven: 'Ja, alle som kan kjennast att, har samtykt',
      cGuardian: 'Ja, og skriftleg samtykke frå føresette til alle born under 15',
      alt: 'Alternativ tekst (kva viser biletet?)',
      facesFound: (n) => (n === 1 ? 'Postvakt fann 1 ansikt i biletet.' : `Postvakt fann ${n} ansikt i biletet.`),
      noFaces: 'Postvakt fann ingen ansikt i biletet.',
      facesWarn: 'Postvakt fann ansikt i biletet. Er du sikker på at ingen kan kjennast att?',
      save: 'Lagre',
      skip: 'Hopp over',
    },
    en: {
      findings: (n) => (n === 1 ? '1 finding' : `${n} findings`),
      clean: 'No findings',
      suggestion: 'Suggestion',
      why: 'Why',
      blockedTitle: 'Publishing stopped',
      blockedBody: 'The post breaks the guidelines. Fix this before publishing:',
      warnTitle: 'Publish anyway?',
      warnBody: 'Postvakt found this in the post:',
      ack: 'I have considered this and want to publish',
      reason: 'Reason (kept in the audit log, without the text of the post)',
      publishAnyway: 'Publish anyway',
      cancel: 'Cancel',
      close: 'Close',
      checkerDown: 'Postvakt could not check the post. Publish without a check?',
      imageTitle: (i, n) => `Image ${i} of ${n}`,
      qPersons: 'Does the image show identifiable people?',
      pNone: 'No, no one can be identified',
      pAdults: 'Yes, only people aged 15 or older',
      pMinors: 'Yes, including at least one child under 15',
      pUnknown: 'Not sure yet',
      qConsent: 'Is there consent?',
      cNone: 'No, not from everyone',
      cGiven: 'Yes, everyone identifiable has consented',
      cGuardian: 'Yes, and written consent from guardians of every child under 15',
      alt: 'Alt text (what does the image show?)',
      facesFound: (n) => (n === 1 ? 'Postvakt found 1 face in the image.' : `Postvakt found ${n} faces in the image.`),
      noFaces: 'Postvakt found no faces in the image.',
      facesWarn: 'Postvakt found faces in the image. Are you sure no one can be identified?',
      save: 'Save',
      skip: 'Skip',
    },
  };
  let lang = 'nb';
  const T = (k, ...a) => {
    const v = (STR[lang] || STR.nb)[k];
    return typeof v === 'function' ? v(...a) : v;
  };

  const platform = detectPlatform();
  let enabled = true;

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

  function send(msg) {
    return new Promise((resolve) => {
      try {
        chrome.runtime.sendMessage(msg, (resp) => {
          if (chrome.runtime.lastError) resolve({ error: { code: 'EUNAVAILABLE', message: chrome.runtime.lastError.message } });
          else resolve(resp);
        });
      } catch (e) {
        resolve({ error: { code: 'EUNAVAILABLE', message: String(e) } });
      }
    });
  }

  // Settings (language, on/off for this site) are asked for at load and
  // again whenever the worker says they changed, so the popup's switch and
  // the options take effect without reloading the page.
  function loadSettings() {
    return send({ type: 'cs-settings' }).then((s) => {
      if (!s || s.error) return;
      lang = s.language || 'nb';
      const was = enabled;
      enabled = s.enabled !== false;
      if (!enabled) {
        hideLayer();
      } else if (active) {
        render(active);
        if (!was) schedule(active); // Typing while off went unchecked.
      }
    });
  }
  loadSettings();
  try {
    chrome.runtime.onMessage.addListener((msg) => {
      if (msg && msg.type === 'bg-settings-changed') loadSettings();
      if (msg && msg.type === 'bg-rules-changed') {
        // A new bundle or crisis state: every report is stale, and the
        // composer in use is checked again at once.
        rulesEpoch++;
        if (active && enabled) schedule(active);
      }
      return false;
    });
  } catch {
    // The extension was reloaded under this page; nothing to listen to.
  }

  // ---- composers ---------------------------------------------------------

  /** @type {WeakMap<Element, any>} */
  const states = new WeakMap();
  let active = null;
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

  const BLOCK = /^(DIV|P|LI|H[1-6]|BLOCKQUOTE|PRE|TR|UL|OL)$/;

  /** The composer's text as the checker sees it, with a map from text offsets to DOM text nodes. */
  function extract(el) {
    if (el.tagName === 'TEXTAREA') return { text: el.value, segs: null };
    const segs = [];
    let text = '';
    const walk = (n) => {
      for (let c = n.firstChild; c; c = c.nextSibling) {
        if (c.nodeType === 3) {
          segs.push({ node: c, start: text.length });
          text += c.nodeValue;
        } else if (c.nodeType === 1) {
          if (c.tagName === 'BR') {
            text += '\n';
            continue;
          }
          const block = BLOCK.test(c.tagName);
          if (block && text.length && !text.endsWith('\n')) text += '\n';
          walk(c);
          if (block && text.length && !text.endsWith('\n')) text += '\n';
        }
      }
    };
    walk(el);
    return { text: text.replace(/\n+$/, ''), segs };
  }

  function kindOf(el) {
    const k = el.closest && el.closest('[data-postvakt-kind]');
    if (k) return k.getAttribute('data-postvakt-kind');
    const label = `${el.getAttribute('aria-label') || ''} ${el.getAttribute('placeholder') || ''}`.toLowerCase();
    if (/kommentar|comment|svar|reply|answer/.test(label)) return 'reply';
    if (/melding|message/.test(label)) return 'message';
    return 'post';
  }

  function draftOf(el) {
    const { text } = extract(el);
    const st = state(el);
    return { id: `d-${Date.now()}`, text, platform, kind: kindOf(el), images: st.images.map((i) => i.decl) };
  }

  // Input is coalesced rather than delayed: the first keystroke is checked
  // at once, and keystrokes that arrive while a check runs are checked
  // together when it returns, so findings follow typing within one check's
  // time and the worker never has more than one check per composer queued.
  function schedule(el) {
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

  /** Checks the composer now (or returns the running check when the text is unchanged). */
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
    const imgKey = JSON.stringify(d.images);
    if (st.checking && st.checkedText === d.text && st.checkedImages === imgKey && st.checkedEpoch === rulesEpoch) return st.checking;
    const seq = ++st.seq;
    st.checkedText = d.text;
    st.checkedImages = imgKey;
    st.checkedEpoch = rulesEpoch;
    st.checking = send({ type: 'cs-check', draft: d }).then((rep) => {
      if (seq === st.seq) {
        st.report = rep;
        st.text = d.text;
        if (el === active && enabled) render(el);
        // A primitive detail crosses from the isolated world to the page (used by the benchmark page).
        document.dispatchEvent(new CustomEvent('postvakt:checked', { detail: JSON.stringify({ findings: rep && rep.findings ? rep.findings.length : -1 }) }));
      }
      return { rep, draft: d };
    });
    return st.checking;
  }

  /** @type {WeakSet<Element>} */
  const watched = new WeakSet();

  function onActivity(e) {
    if (!enabled) return;
    const el = composerOf(targetOf(e));
    if (!el) return;
    if (active !== el) {
      active = el;
      render(el);
      // The writer starts on a post: a moment to revalidate the rules
      // (the worker does it at most every 30 s).
      send({ type: 'cs-focus' });
      // A composer that scrolls inside itself moves its text under the
      // underlines; scroll events do not leave a shadow root, so the
      // window's listener misses them.
      if (!watched.has(el)) {
        watched.add(el);
        el.addEventListener('scroll', () => { if (active === el && enabled) position(el); }, { passive: true });
      }
    }
    if (e.type === 'input') schedule(el);
    else if (e.type === 'focusin' && !state(el).checking) schedule(el);
  }
  document.addEventListener('input', onActivity, true);
  document.addEventListener('focusin', onActivity, true);

  // ---- the layer: badge, panel, underlines --------------------------------

  let host = null;
  let root = null;
  // null: automatic (open when it fits beside the composer); true/false:
  // the writer opened or closed it with the badge.
  let open = null;

  function layer() {
    if (root) return root;
    host = document.createElement('postvakt-layer');
    host.style.cssText = 'all: initial; position: fixed; top: 0; left: 0; width: 0; height: 0; z-index: 2147483646;';
    root = host.attachShadow({ mode: 'open' });
    root.innerHTML = `<style>
      :host { all: initial; }
      * { box-sizing: border-box; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
      .badge { position: fixed; min-width: 28px; height: 24px; padding: 0 8px; border-radius: 12px; border: 0;
        font-size: 13px; font-weight: 600; color: #fff; cursor: pointer; box-shadow: 0 1px 3px rgba(0,0,0,.3); }
      .badge.ok { background: #2e7d32; } .badge.warn { background: #b26a00; } .badge.block { background: #c62828; }
      .panel { position: fixed; width: 340px; max-height: 50vh; overflow: auto; background: #fff; color: #1a1a1a;
        border: 1px solid #ccc; border-radius: 8px; box-shadow: 0 4px 16px rgba(0,0,0,.18); padding: 8px 10px; font-size: 13px; }
      .panel h2 { font-size: 13px; margin: 2px 0 6px; }
      .f { border-left: 4px solid #b26a00; padding: 4px 8px; margin: 6px 0; background: #fffaf0; }
      .f.block { border-color: #c62828; background: #fff5f5; } .f.info { border-color: #1565c0; background: #f3f8ff; }
      .f .m { font-weight: 600; } .f .s { margin-top: 2px; color: #333; } .f .w { margin-top: 2px; color: #555; font-size: 12px; }
      .u { position: fixed; pointer-events: none; border-bottom: 2px solid #b26a00; }
      .u.block { border-bottom-color: #c62828; } .u.info { border-bottom-color: #1565c0; }
      .modal { position: fixed; inset: 0; background: rgba(0,0,0,.35); display: flex; align-items: center; justify-content: center; }
      .dialog { width: min(520px, 92vw); max-height: 86vh; overflow: auto; background: #fff; color: #1a1a1a; border-radius: 10px;
        padding: 16px 18px; box-shadow: 0 10px 40px rgba(0,0,0,.3); font-size: 14px; }
      .dialog h2 { font-size: 17px; margin: 0 0 8px; }
      .dialog fieldset { border: 1px solid #ddd; border-radius: 6px; margin: 10px 0; padding: 6px 10px; }
      .dialog legend { font-weight: 600; }
      .dialog label { display: block; margin: 4px 0; }
      .dialog textarea, .dialog input[type=text] { display: block; width: 100%; font-size: 14px; padding: 6px; margin-top: 6px; }
      .dialog .row { display: flex; gap: 8px; justify-content: flex-end; margin-top: 12px; }
      .dialog button { font-size: 14px; padding: 7px 14px; border-radius: 6px; border: 1px solid #888; background: #f4f4f4; cursor: pointer; }
      .dialog button.primary { background: #1a4d8f; color: #fff; border-color: #1a4d8f; }
      .dialog button:disabled { opacity: .5; cursor: default; }
      .note { color: #333; margin: 4px 0; } .warnnote { color: #8a1c1c; font-weight: 600; }
      .thumb { max-width: 120px; max-height: 90px; float: right; margin-left: 10px; border-radius: 4px; }
      button:focus-visible, input:focus-visible, textarea:focus-visible { outline: 3px solid #1a4d8f; outline-offset: 2px; }
    </style><div class="marks"></div><button class="badge ok" type="button" hidden></button><div class="panel" role="region" aria-live="polite" hidden></div><div class="dialogs"></div>`;
    root.querySelector('.badge').addEventListener('click', () => {
      open = !(root.querySelector('.panel').hidden === false);
      if (active) render(active);
    });
    document.documentElement.appendChild(host);
    const reflow = () => active && position(active);
    window.addEventListener('scroll', reflow, true);
    window.addEventListener('resize', reflow);
    return root;
  }

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function hideLayer() {
    if (!root) return;
    root.querySelector('.badge').hidden = true;
    root.querySelector('.panel').hidden = true;
    root.querySelector('.marks').replaceChildren();
  }

  function render(comp) {
    const r = layer();
    const st = state(comp);
    const rep = st.report;
    const badge = r.querySelector('.badge');
    const panel = r.querySelector('.panel');
    if (!rep || rep.error || !rep.findings) {
      badge.hidden = true;
      panel.hidden = true;
      r.querySelector('.marks').replaceChildren();
      return;
    }
    const n = rep.findings.length;
    badge.hidden = false;
    badge.className = `badge ${rep.verdict}`;
    badge.textContent = String(n);
    badge.setAttribute('aria-label', `Postvakt: ${T('findings', n)}`);
    panel.replaceChildren();
    panel.hidden = n === 0 || open === false || (open === null && !fitsBeside(comp));
    badge.setAttribute('aria-expanded', String(!panel.hidden));
    panel.append(el('h2', '', `Postvakt – ${T('findings', n)}`));
    for (const f of rep.findings) {
      const item = el('div', `f ${f.severity}`);
      item.dataset.rule = f.rule;
      item.append(el('div', 'm', f.message), el('div', 's', `${T('suggestion')}: ${f.suggestion}`));
      if (f.why) item.append(el('div', 'w', `${T('why')}: ${f.why}`));
      panel.append(item);
    }
    position(comp);
  }

  /** Whether the panel fits beside the composer without covering the page's controls. */
  function fitsBeside(comp) {
    const rect = comp.getBoundingClientRect();
    return rect.right + 8 + 340 <= innerWidth || rect.left - 8 - 340 >= 0;
  }

  function position(comp) {
    const r = layer();
    const rect = comp.getBoundingClientRect();
    const badge = r.querySelector('.badge');
    const panel = r.querySelector('.panel');
    // On the composer's top right corner, not inside it: text typed up to
    // the edge stays visible.
    const bw = badge.offsetWidth || 28;
    badge.style.top = `${Math.max(0, rect.top - 12)}px`;
    badge.style.left = `${Math.max(0, Math.min(innerWidth - bw, rect.right - bw / 2))}px`;
    // Beside the composer when there is room, so the page's own buttons
    // under it stay reachable; else above it, and below only as a last resort.
    const h = panel.offsetHeight || 200;
    if (rect.right + 8 + 340 <= innerWidth) {
      panel.style.left = `${rect.right + 8}px`;
      panel.style.top = `${Math.max(0, Math.min(rect.top, innerHeight - h - 4))}px`;
    } else if (rect.left - 8 - 340 >= 0) {
      panel.style.left = `${rect.left - 8 - 340}px`;
      panel.style.top = `${Math.max(0, Math.min(rect.top, innerHeight - h - 4))}px`;
    } else {
      panel.style.left = `${Math.max(0, Math.min(rect.left, innerWidth - 350))}px`;
      panel.style.top = `${rect.top - h - 6 >= 0 ? rect.top - h - 6 : rect.bottom + 6}px`;
    }
    underline(comp);
  }

  /** Draws underlines over the findings' spans (contenteditable only). */
  function underline(comp) {
    const marks = layer().querySelector('.marks');
    marks.replaceChildren();
    const st = state(comp);
    const rep = st.report;
    if (!rep || !rep.findings) return;
    const draw = (f, rects) => {
      for (const rc of rects) {
        const u = el('div', `u ${f.severity}`);
        u.style.cssText = `top:${rc.top}px;left:${rc.left}px;width:${rc.width}px;height:${rc.height}px`;
        marks.append(u);
      }
    };
    if (comp.tagName === 'TEXTAREA') {
      if (comp.value !== st.text) return; // stale; the next check redraws
      textareaRects(comp, rep.findings, draw);
      return;
    }
    const { text, segs } = extract(comp);
    if (text !== st.text) return;
    for (const f of rep.findings) {
      if (f.start < 0) continue;
      const range = rangeFor(segs, f.start, f.end);
      if (range) draw(f, range.getClientRects());
    }
  }

  const MIRRORED = ['fontFamily', 'fontSize', 'fontWeight', 'fontStyle', 'fontVariant', 'fontStretch', 'letterSpacing',
    'wordSpacing', 'lineHeight', 'textTransform', 'textIndent', 'tabSize', 'direction', 'textAlign',
    'paddingTop', 'paddingRight', 'paddingBottom', 'paddingLeft',
    'borderTopWidth', 'borderRightWidth', 'borderBottomWidth', 'borderLeftWidth'];

  /**
   * A textarea has no ranges inside its text, so its findings are measured
   * on a hidden copy laid out like it (same box, font and wrapping, same
   * scroll position) and clipped to the visible part of the textarea.
   */
  function textareaRects(ta, findings, draw) {
    const cs = getComputedStyle(ta);
    const box = ta.getBoundingClientRect();
    const m = document.createElement('div');
    for (const p of MIRRORED) m.style[p] = cs[p];
    const px = (v) => parseFloat(v) || 0;
    Object.assign(m.style, {
      position: 'fixed', top: `${box.top}px`, left: `${box.left}px`, boxSizing: 'content-box',
      // clientWidth leaves out a scrollbar, so the copy wraps where the textarea does.
      width: `${ta.clientWidth - px(cs.paddingLeft) - px(cs.paddingRight)}px`,
      height: `${ta.clientHeight - px(cs.paddingTop) - px(cs.paddingBottom)}px`,
      borderStyle: 'solid', borderColor: 'transparent', whiteSpace: 'pre-wrap', overflowWrap: 'break-word',
      overflow: 'hidden', visibility: 'hidden', pointerEvents: 'none',
    });
    const node = document.createTextNode(`${ta.value}\n`);
    m.append(node);
    layer().querySelector('.marks').append(m);
    m.scrollTop = ta.scrollTop;
    m.scrollLeft = ta.scrollLeft;
    const top = box.top + ta.clientTop;
    const bottom = top + ta.clientHeight;
    const len = ta.value.length;
    for (const f of findings) {
      if (f.start < 0 || f.end > len) continue;
      const range = document.createRange();
      range.setStart(node, f.start);
      range.setEnd(node, f.end);
      draw(f, [...range.getClientRects()].filter((rc) => rc.width > 0 && rc.bottom > top && rc.bottom <= bottom + 1));
    }
    m.remove();
  }

  function rangeFor(segs, start, end) {
    const at = (off) => {
      for (let i = segs.length - 1; i >= 0; i--) {
        const s = segs[i];
        if (s.start <= off) return { node: s.node, offset: Math.min(off - s.start, s.node.nodeValue.length) };
      }
      return null;
    };
    const a = at(start);
    const b = at(end);
    if (!a || !b) return null;
    const range = document.createRange();
    try {
      range.setStart(a.node, a.offset);
      range.setEnd(b.node, b.offset);
    } catch {
      return null;
    }
    return range;
  }

  // ---- dialogs ------------------------------------------------------------

  let dialogs = 0;

  /** Shows a modal built by build(dialog, done) and resolves with what done() got. */
  function modal(build) {
    const r = layer();
    const saved = document.activeElement;
    return new Promise((resolve) => {
      const back = el('div', 'modal');
      const dlg = el('div', 'dialog');
      dlg.setAttribute('role', 'dialog');
      dlg.setAttribute('aria-modal', 'true');
      back.append(dlg);
      const done = (v) => {
        back.remove();
        if (saved && saved.focus) saved.focus({ preventScroll: true });
        resolve(v);
      };
      build(dlg, done);
      // The dialog is named by its heading (axe: aria-dialog-name).
      const heading = dlg.querySelector('h2');
      if (heading) {
        heading.id = `postvakt-dialog-${++dialogs}`;
        dlg.setAttribute('aria-labelledby', heading.id);
      }
      dlg.addEventListener('keydown', (e) => {
        e.stopPropagation();
        if (e.key === 'Escape') done(null);
      });
      r.querySelector('.dialogs').append(back);
      // Focus goes to the pre-filled answer of a radio group, else the first field.
      const first = dlg.querySelector('input[type=radio]:checked') || dlg.querySelector('textarea, input, button.primary, button');
      if (first) first.focus();
    });
  }

  function findingList(findings) {
    const box = el('div');
    for (const f of findings) {
      const item = el('div', `f ${f.severity}`);
      item.append(el('div', 'm', f.message), el('div', 's', `${T('suggestion')}: ${f.suggestion}`));
      if (f.why) item.append(el('div', 'w', `${T('why')}: ${f.why}`));
      box.append(item);
    }
    return box;
  }

  function blockedDialog(findings) {
    return modal((dlg, done) => {
      dlg.classList.add('blocked');
      dlg.append(el('h2', '', T('blockedTitle')), el('p', 'note', T('blockedBody')), findingList(findings));
      const row = el('div', 'row');
      const close = el('button', 'primary', T('close'));
      close.type = 'button';
      close.addEventListener('click', () => done(null));
      row.append(close);
      dlg.append(row);
    });
  }

  /** Resolves {reason} to publish, or null to cancel. */
  function warnDialog(findings, title) {
    return modal((dlg, done) => {
      dlg.classList.add('warn');
      dlg.append(el('h2', '', title || T('warnTitle')));
      if (findings.length) dlg.append(el('p', 'note', T('warnBody')), findingList(findings));
      const ackLabel = el('label');
      const ack = el('input');
      ack.type = 'checkbox';
      ack.name = 'ack';
      ackLabel.append(ack, document.createTextNode(` ${T('ack')}`));
      const reasonLabel = el('label', '', T('reason'));
      const reason = el('textarea');
      reason.name = 'reason';
      reason.rows = 3;
      reason.maxLength = 2000;
      reasonLabel.append(reason);
      const row = el('div', 'row');
      const cancel = el('button', '', T('cancel'));
      cancel.type = 'button';
      const go = el('button', 'primary', T('publishAnyway'));
      go.type = 'button';
      go.disabled = true;
      const update = () => { go.disabled = !(ack.checked || reason.value.trim()); };
      ack.addEventListener('change', update);
      reason.addEventListener('input', update);
      cancel.addEventListener('click', () => done(null));
      go.addEventListener('click', () => done({ reason: reason.value.trim() }));
      row.append(cancel, go);
      dlg.append(reasonLabel, ackLabel, row);
    });
  }

  // ---- publish guard ------------------------------------------------------

  const PUBLISH_LABEL = /^(publiser|publisér|post|posta|del|del nå|send|svar|tweet|legg ut|publish|share|reply|post all|innlegg)$/i;
  let bypass = false;

  function publishButtonOf(node) {
    for (let n = node; n; n = n.parentNode || n.host) {
      if (n.nodeType !== 1) continue;
      const tag = n.tagName;
      const isButton = tag === 'BUTTON' || n.getAttribute('role') === 'button' || (tag === 'INPUT' && /^(submit|button)$/i.test(n.type));
      if (!isButton) continue;
      if (n.hasAttribute('data-postvakt-publish')) return n;
      const tid = n.getAttribute('data-testid') || '';
      if (/^tweetButton(Inline)?$/.test(tid)) return n;
      if (n.classList.contains('share-actions__primary-action')) return n;
      const label = (n.getAttribute('aria-label') || n.textContent || n.value || '').trim();
      if (PUBLISH_LABEL.test(label)) return n;
      return null;
    }
    return null;
  }

  /** The composer a publish button belongs to: the nearest one around it, else the last active. */
  function composerFor(btn) {
    for (let n = btn.parentElement; n; n = n.parentElement) {
      const c = n.querySelector('textarea, [contenteditable="true"], [contenteditable=""]');
      if (c) return composerOf(c);
      if (n === document.body) break;
    }
    return active;
  }

  async function guard(comp, replay) {
    const { rep, draft } = await checkNow(comp);
    const text = draft.text;
    const proceed = () => {
      state(comp).publishedText = text;
      const r = replay();
      // A post the archive must have: offer to save it (content/journal.js).
      if (rep && rep.archive && window.__postvaktJournal) window.__postvaktJournal.offer({ text, platform, lang });
      return r;
    };
    const audit = (action, reason) => send({ type: 'cs-audit', action, reason: reason || '', text, report: rep && !rep.error ? rep : { findings: [], bundle: '' }, draft, host: location.host });
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

  function replayClick(btn) {
    bypass = true;
    try {
      btn.click();
    } finally {
      bypass = false;
    }
  }

  document.addEventListener('click', (e) => {
    if (bypass || !enabled || !e.isTrusted) return;
    const btn = publishButtonOf(targetOf(e));
    if (!btn) return;
    const comp = composerFor(btn);
    if (!comp) return;
    if (!extract(comp).text.trim() && !state(comp).images.length) return;
    e.preventDefault();
    e.stopImmediatePropagation();
    guard(comp, () => replayClick(btn));
  }, true);

  document.addEventListener('keydown', (e) => {
    if (bypass || !enabled || !e.isTrusted || e.key !== 'Enter' || !(e.ctrlKey || e.metaKey)) return;
    const comp = composerOf(targetOf(e));
    if (!comp) return;
    e.preventDefault();
    e.stopImmediatePropagation();
    const init = { key: 'Enter', code: 'Enter', ctrlKey: e.ctrlKey, metaKey: e.metaKey, bubbles: true, cancelable: true, composed: true };
    const target = targetOf(e);
    guard(comp, () => {
      bypass = true;
      try {
        target.dispatchEvent(new KeyboardEvent('keydown', init));
      } finally {
        bypass = false;
      }
    });
  }, true);

  // ---- photo consent ------------------------------------------------------

  async function facesIn(file) {
    try {
      const bmp = await createImageBitmap(file);
      const scale = Math.min(1, 480 / Math.max(bmp.width, bmp.height));
      const w = Math.max(1, Math.round(bmp.width * scale));
      const h = Math.max(1, Math.round(bmp.height * scale));
      const canvas = new OffscreenCanvas(w, h);
      const ctx = canvas.getContext('2d');
      ctx.drawImage(bmp, 0, 0, w, h);
      const data = ctx.getImageData(0, 0, w, h).data;
      let bin = '';
      for (let i = 0; i < data.length; i += 0x8000) bin += String.fromCharCode.apply(null, data.subarray(i, i + 0x8000));
      const r = await send({ type: 'cs-faces', rgba: btoa(bin), width: w, height: h });
      return r && Array.isArray(r.faces) ? r.faces.length : -1;
    } catch {
      return -1;
    }
  }

  function consentDialog(file, index, total, faces) {
    // The thumbnail's object URL lives as long as the dialog.
    const url = URL.createObjectURL(file);
    return modal((dlg, done) => {
      dlg.classList.add('consent');
      const img = el('img', 'thumb');
      img.src = url;
      img.alt = '';
      dlg.append(img, el('h2', '', `${T('imageTitle', index, total)}: ${file.name || ''}`));
      if (faces >= 0) dlg.append(el('p', 'note faces', faces > 0 ? T('facesFound', faces) : T('noFaces')));
      const radios = (name, legend, opts, value) => {
        const fs = el('fieldset');
        fs.append(el('legend', '', legend));
        for (const [v, label] of opts) {
          const l = el('label');
          const r = el('input');
          r.type = 'radio';
          r.name = name;
          r.value = v;
          r.checked = v === value;
          l.append(r, document.createTextNode(` ${label}`));
          fs.append(l);
        }
        return fs;
      };
      const persons0 = faces > 0 ? 'adults' : faces === 0 ? 'none' : 'unknown';
      const pf = radios('persons', T('qPersons'), [['none', T('pNone')], ['adults', T('pAdults')], ['minors', T('pMinors')], ['unknown', T('pUnknown')]], persons0);
      const cf = radios('consent', T('qConsent'), [['none', T('cNone')], ['given', T('cGiven')], ['guardian_written', T('cGuardian')]], 'none');
      const warn = el('p', 'warnnote facewarn', T('facesWarn'));
      warn.hidden = true;
      const altLabel = el('label', '', T('alt'));
      const alt = el('input');
      alt.type = 'text';
      alt.name = 'alt';
      altLabel.append(alt);
      const val = (name) => (dlg.querySelector(`input[name="${name}"]:checked`) || {}).value;
      const update = () => {
        const p = val('persons');
        warn.hidden = !(p === 'none' && faces > 0);
        cf.hidden = p === 'none' || p === 'unknown';
      };
      pf.addEventListener('change', update);
      update();
      const row = el('div', 'row');
      const skip = el('button', '', T('skip'));
      skip.type = 'button';
      const save = el('button', 'primary', T('save'));
      save.type = 'button';
      skip.addEventListener('click', () => done({ alt: '', persons: 'unknown', consent: 'none' }));
      save.addEventListener('click', () => {
        const persons = val('persons') || 'unknown';
        done({ alt: alt.value.trim(), persons, consent: persons === 'none' ? 'none' : val('consent') || 'none' });
      });
      row.append(skip, save);
      dlg.append(pf, warn, cf, altLabel, row);
    }).finally(() => URL.revokeObjectURL(url));
  }

  async function onImages(files, origin) {
    const images = [...files].filter((f) => f && /^image\//.test(f.type));
    if (!images.length || !enabled) return;
    const comp = (origin && composerFor(origin)) || active;
    if (!comp) return;
    const st = state(comp);
    for (let i = 0; i < images.length; i++) {
      const faces = await facesIn(images[i]);
      const decl = (await consentDialog(images[i], i + 1, images.length, faces)) || { alt: '', persons: 'unknown', consent: 'none' };
      st.images.push({ name: images[i].name, faces, decl });
    }
    active = comp;
    checkNow(comp);
  }

  document.addEventListener('change', (e) => {
    const t = targetOf(e);
    if (t && t.tagName === 'INPUT' && t.type === 'file' && t.files) onImages(t.files, t);
  }, true);
  document.addEventListener('drop', (e) => {
    if (e.dataTransfer && e.dataTransfer.files.length) onImages(e.dataTransfer.files, targetOf(e));
  }, true);
  document.addEventListener('paste', (e) => {
    if (e.clipboardData && e.clipboardData.files.length) onImages(e.clipboardData.files, targetOf(e));
  }, true);
})();
