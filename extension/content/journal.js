// Postvakt content script, journalføring (issue #14): after a post that
// the rules marked for the archive (report.archive) is published, offers
// «Lagre for journalføring». Only on that click, and only for that post,
// the published text goes to the organisation's server, with the
// platform, the post's address, the time and — when the writer ticks it —
// the comments visible on the page at that moment. When the page shows a
// post saved before, it offers to save the comments that are new since.
// Drafts never leave the browser: nothing is sent before the writer asks.
//
// content.js calls window.__postvaktJournal.offer() after publishing; this
// file owns its own shadow-DOM card and strings (content scripts cannot
// import modules). It runs before content.js.
(() => {
  'use strict';
  if (window.__postvaktJournal) return;
  // The message catalogue (lib/messages.js, loaded first as content/messages.js).
  // (A unit test loads this file alone, for its pure helpers.)
  const { MSG, ERR } = globalThis.__postvaktMessages || { MSG: {}, ERR: {} };

  const STR = {
    nb: {
      region: 'Postvakt: journalføring',
      offer: 'Innlegget ber om innspill i en sak. Innlegget og innspillene i kommentarene må journalføres.',
      save: 'Lagre for journalføring',
      title: 'Tittel',
      url: 'Adressen til innlegget',
      case: 'Saksnummer (hvis du vet det, f.eks. 2026/123)',
      deadline: 'Frist for innspill',
      withComments: (n) => `Ta med kommentarene som er synlige nå (${n})`,
      send: 'Lagre',
      cancel: 'Avbryt',
      close: 'Lukk',
      saving: 'Lagrer …',
      saved: (n) => `Lagret for journalføring med ${n} ${n === 1 ? 'kommentar' : 'kommentarer'}.`,
      known: (t) => `Dette innlegget er lagret for journalføring: «${t}».`,
      capture: 'Lagre nye kommentarer for journalføring',
      added: (n, total) => `${n === 0 ? 'Ingen nye kommentarer' : n === 1 ? '1 ny kommentar lagret' : `${n} nye kommentarer lagret`} (${total} i alt).`,
      noPost: 'Fant ikke innlegget på siden. Kontroller adressen før du lagrer.',
      failed: 'Ble ikke lagret',
      auth: 'Du er ikke logget inn i Postvakt. Logg inn fra Postvakt-knappen og prøv igjen – det du har fylt ut, er tatt vare på.',
      network: 'Får ikke kontakt med serveren. Prøv igjen – det du har fylt ut, er tatt vare på.',
      closed: 'Fristen for innspill er ute, eller innlegget er allerede journalført. Nye kommentarer blir ikke lagt til.',
      invalid: 'Serveren avviste noe av det som skulle lagres. Rett opp og prøv igjen – det du har fylt ut, er tatt vare på.',
    },
    nn: {
      region: 'Postvakt: journalføring',
      offer: 'Innlegget bed om innspel i ei sak. Innlegget og innspela i kommentarane må journalførast.',
      save: 'Lagre for journalføring',
      title: 'Tittel',
      url: 'Adressa til innlegget',
      case: 'Saksnummer (om du veit det, t.d. 2026/123)',
      deadline: 'Frist for innspel',
      withComments: (n) => `Ta med kommentarane som er synlege no (${n})`,
      send: 'Lagre',
      cancel: 'Avbryt',
      close: 'Lukk',
      saving: 'Lagrar …',
      saved: (n) => `Lagra for journalføring med ${n} ${n === 1 ? 'kommentar' : 'kommentarar'}.`,
      known: (t) => `Dette innlegget er lagra for journalføring: «${t}».`,
      capture: 'Lagre nye kommentarar for journalføring',
      added: (n, total) => `${n === 0 ? 'Ingen nye kommentarar' : n === 1 ? '1 ny kommentar lagra' : `${n} nye kommentarar lagra`} (${total} i alt).`,
      noPost: 'Fann ikkje innlegget på sida. Kontroller adressa før du lagrar.',
      failed: 'Vart ikkje lagra',
      auth: 'Du er ikkje logga inn i Postvakt. Logg inn frå Postvakt-knappen og prøv igjen – det du har fylt ut, er teke vare på.',
      network: 'Får ikkje kontakt med tenaren. Prøv igjen – det du har fylt ut, er teke vare på.',
      closed: 'Fristen for innspel er ute, eller innlegget er alt journalført. Nye kommentarar blir ikkje lagde til.',
      invalid: 'Tenaren avviste noko av det som skulle lagrast. Rett opp og prøv igjen – det du har fylt ut, er teke vare på.',
    },
    en: {
      region: 'Postvakt: archiving',
      offer: 'The post asks for input on a matter. The post and the input in its comments must be archived.',
      save: 'Save for the archive',
      title: 'Title',
      url: 'Address of the post',
      case: 'Case number (if you know it, e.g. 2026/123)',
      deadline: 'Input deadline',
      withComments: (n) => `Include the comments visible now (${n})`,
      send: 'Save',
      cancel: 'Cancel',
      close: 'Close',
      saving: 'Saving …',
      saved: (n) => `Saved for the archive with ${n} ${n === 1 ? 'comment' : 'comments'}.`,
      known: (t) => `This post is saved for the archive: “${t}”.`,
      capture: 'Save new comments for the archive',
      added: (n, total) => `${n === 0 ? 'No new comments' : n === 1 ? '1 new comment saved' : `${n} new comments saved`} (${total} in all).`,
      noPost: 'The post was not found on the page. Check the address before saving.',
      failed: 'Not saved',
      auth: 'You are not signed in to Postvakt. Sign in from the Postvakt button and try again – what you filled in is kept.',
      network: 'The server cannot be reached. Try again – what you filled in is kept.',
      closed: 'The input deadline has passed, or the post is archived already. New comments are not added.',
      invalid: 'The server refused part of what was to be saved. Correct it and try again – what you filled in is kept.',
    },
  };
  let lang = 'nb';
  const T = (k, ...a) => {
    const v = (STR[lang] || STR.nb)[k];
    return typeof v === 'function' ? v(...a) : v;
  };

  function send(msg) {
    return new Promise((resolve) => {
      try {
        chrome.runtime.sendMessage(msg, (resp) => {
          if (chrome.runtime.lastError) resolve({ error: { code: ERR.UNAVAILABLE, message: chrome.runtime.lastError.message } });
          else resolve(resp || { error: { code: ERR.UNAVAILABLE, message: 'no answer' } });
        });
      } catch (e) {
        resolve({ error: { code: ERR.UNAVAILABLE, message: String(e) } });
      }
    });
  }

  // ---- reading the published post and its comments -------------------------
  // Platforms differ; test pages and adapters mark posts and comments with
  // data-postvakt-post, -post-url, -comment, -author and -text, and common
  // ARIA roles are the fallback.

  const POSTS = '[data-postvakt-post], article, [role="article"]';
  const COMMENTS = '[data-postvakt-comment], [role="article"][aria-label*="omment"], [aria-label^="Kommentar"]';

  const norm = (s) => (s || '').replace(/[\s\u200b]+/g, ' ').trim();

  function isComment(el) {
    return !!(el.closest && el.closest(COMMENTS));
  }

  /** The element that shows the published text, or null. */
  function postFor(text) {
    const snippet = norm(text).slice(0, 60);
    if (!snippet) return null;
    let best = null;
    for (const el of document.querySelectorAll(POSTS)) {
      if (isComment(el) || el.closest('[contenteditable="true"], textarea')) continue;
      if (!norm(el.innerText).includes(snippet)) continue;
      if (!best || best.contains(el)) best = el;
    }
    return best;
  }

  function clean(u) {
    try {
      const url = new URL(u, location.href);
      url.hash = '';
      return url.href;
    } catch {
      return '';
    }
  }

  function postURL(box) {
    if (!box) return clean(location.href);
    const marked = box.getAttribute('data-postvakt-post-url');
    if (marked) return clean(marked);
    for (const a of box.querySelectorAll('a[href]')) {
      if (isComment(a)) continue;
      if (/\/(posts|status|permalink|p|feed\/update|videos|reel)\//.test(a.href) || /story_fbid=/.test(a.href)) return clean(a.href);
    }
    return clean(location.href);
  }

  function timeOf(el) {
    const t = el && el.querySelector('time[datetime]');
    if (!t) return '';
    const d = new Date(t.getAttribute('datetime'));
    return Number.isNaN(d.getTime()) ? '' : d.toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  function publishedAt(box) {
    if (box) {
      for (const t of box.querySelectorAll('time[datetime]')) {
        if (isComment(t)) continue;
        const d = new Date(t.getAttribute('datetime'));
        if (!Number.isNaN(d.getTime())) return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
      }
    }
    return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  /** The comments visible under box: [{author, at, text}]. */
  function commentsIn(box) {
    if (!box) return [];
    const out = [];
    for (const c of box.querySelectorAll(COMMENTS)) {
      const a = c.querySelector('[data-postvakt-author]') || c.querySelector('a, strong, h3, h4');
      const author = norm(a && a.textContent);
      const tEl = c.querySelector('[data-postvakt-text]');
      let text = tEl ? tEl.innerText : c.innerText;
      if (!tEl) {
        if (author) text = text.replace(a.textContent, '');
        const time = c.querySelector('time');
        if (time) text = text.replace(time.textContent, '');
      }
      text = text.trim();
      if (author && text) out.push({ author, at: timeOf(c), text });
    }
    return out;
  }

  const MONTHS = ['januar', 'februar', 'mars', 'april', 'mai', 'juni', 'juli', 'august', 'september', 'oktober', 'november', 'desember'];

  /** The input deadline the post names («innen 15. desember», «frist 1.12.2026»), or ''. */
  function guessDeadline(text, now = new Date()) {
    const pad = (n) => String(n).padStart(2, '0');
    const iso = (y, m, d) => `${y}-${pad(m)}-${pad(d)}`;
    const year = (m, d) => {
      const y = now.getFullYear();
      return new Date(y, m - 1, d + 1) < now ? y + 1 : y;
    };
    const cue = '(?:innen|innan|frist(?:en er)?|før|seinast|senest|til og med|tom\\.?)';
    let m = new RegExp(`${cue}\\s+(?:\\p{L}+dag\\s+)?(\\d{1,2})\\.\\s*(${MONTHS.join('|')})(?:\\s+(\\d{4}))?`, 'iu').exec(text);
    if (m) {
      const mo = MONTHS.indexOf(m[2].toLowerCase()) + 1;
      const d = Number(m[1]);
      return iso(m[3] ? Number(m[3]) : year(mo, d), mo, d);
    }
    m = new RegExp(`${cue}\\s+(\\d{1,2})\\.(\\d{1,2})\\.(\\d{4}|\\d{2})?`, 'iu').exec(text);
    if (m) {
      const d = Number(m[1]);
      const mo = Number(m[2]);
      if (mo < 1 || mo > 12 || d < 1 || d > 31) return '';
      const y = m[3] ? (m[3].length === 2 ? 2000 + Number(m[3]) : Number(m[3])) : year(mo, d);
      return iso(y, mo, d);
    }
    return '';
  }

  function guessCase(text) {
    const m = /\b(20\d{2}\/\d{1,9})\b/.exec(text);
    return m ? m[1] : '';
  }

  function defaultTitle(text) {
    const line = norm((text || '').trim().split('\n')[0]);
    return line.length > 100 ? `${line.slice(0, 99).trim()}…` : line;
  }

  // ---- the card ------------------------------------------------------------

  let hostEl = null;
  let root = null;

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function card() {
    if (root && hostEl && hostEl.isConnected) return root.querySelector('.card');
    hostEl = document.createElement('postvakt-journal');
    root = hostEl.attachShadow({ mode: 'open' });
    root.innerHTML = `<style>
      .card { position: fixed; right: 16px; bottom: 16px; width: 360px; max-height: 80vh; overflow: auto; background: #fff; color: #1a1a1a;
        border: 1px solid #888; border-radius: 8px; box-shadow: 0 4px 16px rgba(0,0,0,.25); padding: 12px; z-index: 2147483646;
        font: 14px/1.4 system-ui, sans-serif; }
      h2 { font-size: 14px; margin: 0 0 6px; }
      label { display: block; margin: 8px 0 2px; }
      label.check { display: flex; gap: 6px; align-items: flex-start; }
      input[type=text], input[type=url], input[type=date] { width: 100%; box-sizing: border-box; padding: 4px; font: inherit; }
      .row { display: flex; gap: 8px; justify-content: flex-end; margin-top: 10px; }
      button { font: inherit; padding: 5px 12px; border-radius: 6px; border: 1px solid #555; background: #f4f4f4; color: #1a1a1a; cursor: pointer; }
      button.primary { background: #1d4ed8; border-color: #1d4ed8; color: #fff; }
      .error { color: #a40000; }
      .ok { color: #14532d; }
      ul { margin: 4px 0 0 18px; padding: 0; }
    </style><div class="card" role="region" hidden></div>`;
    const c = root.querySelector('.card');
    c.setAttribute('aria-label', T('region'));
    document.documentElement.append(hostEl);
    return c;
  }

  function closeCard() {
    if (hostEl) hostEl.remove();
    hostEl = null;
    root = null;
  }

  function errorText(r) {
    const e = (r && r.error) || {};
    if (e.code === 'EAUTH' || e.code === 'EUNAUTHORIZED') return T('auth');
    if (e.code === ERR.NETWORK || e.code === ERR.UNAVAILABLE) return T('network');
    if (e.code === 'ECONFLICT') return T('closed');
    // The server's own words name the field («case: must be a case number …»).
    if (e.code === ERR.INVALID || e.code === 'EMALFORMED' || e.code === 'ETOOLARGE') return `${T('invalid')} (${e.message || e.code})`;
    return `${T('failed')}: ${e.message || e.code || ''}`;
  }

  function showError(box, r) {
    let p = box.querySelector('.error');
    if (!p) {
      p = el('div', 'error');
      p.setAttribute('role', 'alert');
      box.append(p);
    }
    p.replaceChildren(el('p', '', errorText(r)));
    const details = r && r.error && Array.isArray(r.error.details) ? r.error.details : [];
    if (details.length > 1) {
      const ul = el('ul');
      for (const d of details.slice(0, 5)) ul.append(el('li', '', `${d.field}: ${d.message}`));
      p.append(ul);
    }
  }

  function field(id, label, type, value) {
    const l = el('label', '', label);
    l.htmlFor = id;
    const i = el('input');
    i.id = id;
    i.name = id;
    i.type = type;
    i.value = value;
    return [l, i];
  }

  /** The form for one published post; nothing is sent before «Lagre». */
  function form(c, post) {
    const box = post.box || postFor(post.text);
    c.replaceChildren(el('h2', '', T('save')));
    if (!box) c.append(el('p', 'error', T('noPost')));
    const [tl, title] = field('pv-j-title', T('title'), 'text', defaultTitle(post.text));
    title.maxLength = 300;
    const [ul, url] = field('pv-j-url', T('url'), 'url', postURL(box));
    const [cl, cas] = field('pv-j-case', T('case'), 'text', guessCase(post.text));
    cas.maxLength = 50;
    const [dl, deadline] = field('pv-j-deadline', T('deadline'), 'date', guessDeadline(post.text));
    const visible = commentsIn(box);
    const cmLabel = el('label', 'check');
    const withComments = el('input');
    withComments.type = 'checkbox';
    withComments.id = 'pv-j-comments';
    cmLabel.htmlFor = withComments.id;
    cmLabel.append(withComments, document.createTextNode(T('withComments', visible.length)));
    const row = el('div', 'row');
    const cancel = el('button', '', T('cancel'));
    cancel.type = 'button';
    cancel.addEventListener('click', closeCard);
    const go = el('button', 'primary', T('send'));
    go.type = 'button';
    go.addEventListener('click', async () => {
      go.disabled = true;
      go.textContent = T('saving');
      // The comments as the page shows them now, read at the click.
      const comments = withComments.checked ? commentsIn(box || postFor(post.text)) : [];
      const item = {
        platform: post.platform || 'other', url: clean(url.value), published_at: post.at || publishedAt(box),
        title: title.value.trim(), text: post.text, case: cas.value.trim(), deadline: deadline.value, comments,
      };
      const r = await send({ type: MSG.JOURNAL_SAVE, item });
      go.disabled = false;
      go.textContent = T('send');
      if (!r || r.error || !r.id) {
        showError(c, r);
        return;
      }
      done(c, T('saved', r.comments || 0));
    });
    row.append(cancel, go);
    c.append(tl, title, ul, url, cl, cas, dl, deadline, cmLabel, row);
    title.focus();
  }

  function done(c, msg) {
    const close = el('button', '', T('close'));
    close.type = 'button';
    close.addEventListener('click', closeCard);
    const p = el('p', 'ok', msg);
    p.setAttribute('role', 'status');
    const row = el('div', 'row');
    row.append(close);
    c.replaceChildren(el('h2', '', 'Postvakt'), p, row);
  }

  /**
   * Offers to save a post just published. post: {text, platform, lang}.
   * The post may appear on the page a moment after the click; its element
   * is looked for when the writer opens the form.
   */
  function offer(post) {
    lang = post.lang || lang;
    const c = card();
    c.hidden = false;
    const p = el('p', '', T('offer'));
    const row = el('div', 'row');
    const later = el('button', '', T('close'));
    later.type = 'button';
    later.addEventListener('click', closeCard);
    const save = el('button', 'primary', T('save'));
    save.type = 'button';
    save.addEventListener('click', () => form(c, { ...post, at: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') }));
    row.append(later, save);
    c.replaceChildren(el('h2', '', 'Postvakt'), p, row);
  }

  // ---- later captures --------------------------------------------------------

  /** Offers a later capture when the page shows a post saved before. */
  async function lookForSaved() {
    if (hostEl && hostEl.isConnected) return; // The writer is busy with the card.
    const boxes = [...document.querySelectorAll(POSTS)].filter((b) => !isComment(b));
    const byURL = new Map();
    for (const b of boxes) byURL.set(postURL(b), b);
    const here = clean(location.href);
    if (!byURL.has(here)) byURL.set(here, boxes[0] || null);
    const r = await send({ type: MSG.JOURNAL_KNOWN, urls: [...byURL.keys()].slice(0, 50) });
    if (!r || r.error || !Array.isArray(r.items) || !r.items.length) return;
    const s = await send({ type: MSG.SETTINGS });
    if (s && !s.error) lang = s.language || lang;
    // Comments written after the input deadline are not the case's.
    const today = new Date().toLocaleDateString('sv-SE');
    const known = r.items.find((i) => !i.deadline || i.deadline >= today);
    if (!known || (hostEl && hostEl.isConnected)) return;
    const box = byURL.get(known.url);
    const c = card();
    c.hidden = false;
    const row = el('div', 'row');
    const close = el('button', '', T('close'));
    close.type = 'button';
    close.addEventListener('click', closeCard);
    const go = el('button', 'primary', T('capture'));
    go.type = 'button';
    go.addEventListener('click', async () => {
      go.disabled = true;
      const comments = commentsIn(box || postFor(''));
      const res = await send({ type: MSG.JOURNAL_COMMENTS, id: known.id, url: known.url, comments });
      go.disabled = false;
      if (!res || res.error) {
        showError(c, res);
        return;
      }
      done(c, T('added', res.added || 0, res.comments || 0));
    });
    row.append(close, go);
    c.replaceChildren(el('h2', '', 'Postvakt'), el('p', '', T('known', known.title || known.url)), row);
  }

  // Platforms load posts after the page (single-page apps): look again
  // when posts appear, at most every 5 s, until a saved one is found.
  let looked = 0;
  let timer = 0;
  function lookSoon() {
    if (timer || (hostEl && hostEl.isConnected)) return;
    timer = setTimeout(() => {
      timer = 0;
      looked = Date.now();
      lookForSaved();
    }, Math.max(300, 5000 - (Date.now() - looked)));
  }

  window.__postvaktJournal = { offer, guessDeadline, guessCase };
  if (typeof MutationObserver === 'function' && document.documentElement) {
    // Counting posts costs a query, so it runs at most once a second
    // however busy the page's DOM is.
    let seen = 0;
    let counting = 0;
    new MutationObserver(() => {
      if (counting) return;
      counting = setTimeout(() => {
        counting = 0;
        const n = document.querySelectorAll(POSTS).length;
        if (n !== seen) {
          seen = n;
          lookSoon();
        }
      }, 1000);
    }).observe(document.documentElement, { childList: true, subtree: true });
  }
  if (document.readyState === 'complete') lookSoon();
  else window.addEventListener('load', lookSoon, { once: true });
})();
