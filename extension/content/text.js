// Postvakt content scripts: reading a composer's text as the checker sees
// it, with a map from text offsets back to DOM text nodes for underlines.
(() => {
  'use strict';
  const pv = (globalThis.__postvakt = globalThis.__postvakt || {});
  if (pv.text) return;

  const BLOCK = /^(DIV|P|LI|H[1-6]|BLOCKQUOTE|PRE|TR|UL|OL)$/;

  /** The composer's text, and for a contenteditable its text nodes with their offsets. */
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
    // Editors keep a zero-width space in an empty line (Lexical, Draft.js);
    // it is not text the writer wrote.
    return { text: text.replace(/\n+$/, '').replace(/^[\u200b\ufeff\n]+$/, ''), segs };
  }

  /** A DOM range over [start, end) of the text extract() returned with segs. */
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

  pv.text = { extract, rangeFor };
})();
