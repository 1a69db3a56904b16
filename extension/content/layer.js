// Postvakt content scripts: the extension's own layer over the page, in a
// shadow root: the badge, the panel of findings, the underlines and the
// dialogs. It never writes into the page's editor, never moves the caret
// and only takes focus for a dialog the writer opened by publishing or
// attaching.
(() => {
  'use strict';
  const pv = (globalThis.__postvakt = globalThis.__postvakt || {});
  if (pv.layer) return;
  const T = (...a) => pv.T(...a);
  const state = (comp) => pv.core.state(comp);
  const extract = (comp) => pv.text.extract(comp);
  const rangeFor = (segs, start, end) => pv.text.rangeFor(segs, start, end);

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
      if (pv.active) render(pv.active);
    });
    document.documentElement.appendChild(host);
    // Scrolling anywhere (capture: scrolls of inner boxes do not bubble)
    // and resizing move the composer under the layer; they are redrawn
    // once per frame, however many events arrive.
    window.addEventListener('scroll', requestReflow, { capture: true, passive: true });
    window.addEventListener('resize', requestReflow, { passive: true });
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

  let frame = 0;
  let forced = false;
  /** Where the composer was when the layer was last drawn. */
  let drawnAt = '';

  const rectKey = (comp) => {
    const r = comp.getBoundingClientRect();
    return `${r.left},${r.top},${r.width},${r.height},${innerWidth},${innerHeight}`;
  };

  /**
   * Redraws the layer over the active composer in the next frame, once
   * however often asked. Asked by changes elsewhere in the page (lenient:
   * only if the composer moved) or by a scroll or resize (always: a
   * composer that scrolls inside itself moves its text, not its box).
   * @param {any} [e] an event: a scroll or resize forces the redraw
   */
  function requestReflow(e) {
    if (e !== false) forced = true;
    if (frame) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      const force = forced;
      forced = false;
      const comp = pv.active;
      if (!comp || !pv.enabled) return;
      if (!force && comp.isConnected && rectKey(comp) === drawnAt) return;
      position(comp);
    });
  }

  /** Whether a composer is still in the page and shown. */
  function shown(comp) {
    if (!comp.isConnected) return false;
    const rect = comp.getBoundingClientRect();
    return rect.width > 0 || rect.height > 0;
  }

  function position(comp) {
    const r = layer();
    // A single-page app removed or hid the composer: the layer goes with
    // it rather than jump to the page's corner.
    if (!shown(comp)) {
      if (pv.core) pv.core.composerGone(comp);
      return;
    }
    drawnAt = rectKey(comp);
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

  // ---- dialogs ------------------------------------------------------------

  let dialogs = 0;

  /** Shows a modal built by build(dialog, done) and resolves with what done() got. */
  function modal(build) {
    const r = layer();
    // The element to give focus back to, inside shadow roots (the page's
    // editor, not its shadow host, so the writer can type on at once).
    let saved = document.activeElement;
    while (saved && saved.shadowRoot && saved.shadowRoot.activeElement) saved = saved.shadowRoot.activeElement;
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

  /** Whether an event's path goes through the layer (a click in its own dialogs). */
  function isOwn(e) {
    return !!host && (e.composedPath ? e.composedPath() : []).includes(host);
  }

  pv.layer = { layer, render, position, requestReflow, hideLayer, modal, blockedDialog, warnDialog, el, isOwn };
})();
