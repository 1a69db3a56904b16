// @ts-check
// The content scripts as the built extension loads them (the manifest's
// ordered files from dist/extension), in a Node vm with a chrome stub and
// a minimal document: the guard's label families, what sends on Enter,
// and that a check dispatches nothing into the page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { fileURLToPath } from 'node:url';
import { chromeStub } from './chrome-stub.mjs';
import { MSG } from '../../lib/messages.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.resolve(here, '../../../dist/extension');
const skip = !existsSync(path.join(dist, 'content', 'messages.js')) && 'run make extension first';

/** A stand-in element: attributes, closest() over its parents, a tag. */
function elem(tag, attrs = {}, parent = null, text = '') {
  return {
    nodeType: 1, tagName: tag, parentNode: parent, textContent: text, value: attrs.value || '', form: null,
    classList: { contains: (c) => (attrs.class || '').split(' ').includes(c) },
    getAttribute: (k) => (k in attrs ? attrs[k] : null),
    hasAttribute: (k) => k in attrs,
    closest(sel) {
      const m = /^\[([\w-]+)\]$/.exec(sel);
      for (let n = this; n; n = n.parentNode) if (m && n.hasAttribute && n.hasAttribute(m[1])) return n;
      return null;
    },
  };
}

function load() {
  const dispatched = [];
  const listeners = {};
  const stub = chromeStub({
    onMessage: (msg) => {
      if (msg.type === MSG.SETTINGS) return { language: 'nb', enabled: true };
      if (msg.type === MSG.CHECK) return { verdict: 'block', findings: [{ rule: 'pii.national_id', severity: 'block', start: 0, end: 1 }] };
      return {};
    },
  });
  const body = elem('BODY');
  const document = {
    body, documentElement: elem('HTML'),
    querySelector: () => null,
    addEventListener: (type, fn) => { (listeners[type] ||= []).push(fn); },
    dispatchEvent: (e) => { dispatched.push(e); return true; },
  };
  const ctx = vm.createContext({
    chrome: stub.chrome, document, location: { hostname: 'www.facebook.com', host: 'www.facebook.com' },
    window: { addEventListener() {} }, performance, requestAnimationFrame: (f) => setTimeout(f, 0), setTimeout, Promise, JSON,
    CustomEvent: class { constructor(type, init) { this.type = type; this.detail = init && init.detail; } },
  });
  const manifest = JSON.parse(readFileSync(path.join(dist, 'manifest.json'), 'utf8'));
  for (const f of manifest.content_scripts[0].js) vm.runInContext(readFileSync(path.join(dist, f), 'utf8'), ctx, { filename: f });
  return { pv: ctx.__postvakt, stub, dispatched, listeners, body };
}

test('the ordered files load once each, in the manifest\'s order', { skip }, () => {
  const { pv, listeners } = load();
  for (const k of ['T', 'composers', 'text', 'layer', 'core', 'guard', 'photos']) assert.ok(pv[k], `${k} missing`);
  for (const t of ['input', 'beforeinput', 'paste', 'drop', 'cut', 'compositionend', 'click', 'keydown', 'submit']) {
    assert.ok(listeners[t] && listeners[t].length, `no ${t} listener`);
  }
});

test('publish label families, and labels that only look alike', { skip }, () => {
  const { pv } = load();
  const yes = ['Publiser', 'Publiser innlegg', 'Publiser nå', 'Publiser!', 'Publisér', 'Planlegg', 'Planlegg innlegg', 'Kommenter',
    'Del', 'Del innlegg', 'Legg ut', 'Legg ut nå', 'Send', 'Send inn', 'Sende', 'Svar', 'Svar alle', 'Post', 'Post now', 'Posta',
    'Share now', 'Share', 'Tweet', 'Tweet all', 'Reply', 'Comment', 'Schedule', 'Publish', '  Publiser\n nå '];
  const no = ['Delete', 'Deling', 'Postkasse', 'Sendt', 'Avbryt', 'Legg til bilde', 'Lagre utkast', 'Postvakt', 'Sendes',
    'Deltakere', 'Skriv et svar', '', 'Publiser '.repeat(10)];
  for (const l of yes) assert.equal(pv.guard.publishLabel(l), true, `«${l}» not a publish label`);
  for (const l of no) assert.equal(pv.guard.publishLabel(l), false, `«${l}» taken for a publish label`);
});

test('publish controls are found on every enclosing control, by label or marker', { skip }, () => {
  const { pv, body } = load();
  const outer = elem('DIV', { role: 'button', 'aria-label': 'Publiser innlegg' }, body);
  const inner = elem('SPAN', { role: 'button' }, outer, 'Publiser innlegg');
  const text = elem('SPAN', {}, inner, 'x');
  const path = [text, inner, outer, body];
  assert.equal(pv.guard.publishControlOf(path), inner);
  const icon = elem('DIV', { role: 'button', 'aria-label': 'Legg ut' }, body);
  const svg = elem('svg', {}, icon);
  assert.equal(pv.guard.publishControlOf([svg, icon, body]), icon);
  const link = elem('A', { href: '#' }, body, 'Del');
  assert.equal(pv.guard.publishControlOf([link, body]), link);
  const away = elem('A', { href: '/del' }, body, 'Del');
  assert.equal(pv.guard.publishControlOf([away, body]), null, 'a link that navigates is no control');
  const marked = elem('DIV', { role: 'button', 'data-postvakt-publish': '' }, body, '✓');
  assert.equal(pv.guard.publishControlOf([marked, body]), marked);
  const cancel = elem('BUTTON', {}, body, 'Avbryt');
  assert.equal(pv.guard.publishControlOf([cancel, body]), null);
});

test('what sends on Enter', { skip }, () => {
  const { pv } = load();
  const rows = [
    [{ 'aria-label': 'Skriv en kommentar …' }, true], [{ 'aria-label': 'Svar til Kari' }, true],
    [{ 'aria-label': 'Skriv en melding' }, true], [{ 'aria-label': 'Hva tenker du på?' }, false],
    [{ enterkeyhint: 'send', 'aria-label': 'Hva tenker du på?' }, true], [{ 'aria-multiline': 'false' }, true],
    [{ 'aria-label': 'Write a comment', enterkeyhint: 'enter' }, false], [{ 'data-postvakt-enter': 'send' }, true],
  ];
  for (const [attrs, want] of rows) assert.equal(pv.composers.sendsOnEnter(elem('DIV', attrs)), want, JSON.stringify(attrs));
});

test('a check dispatches nothing into the page', { skip }, async () => {
  const { pv, stub, dispatched } = load();
  const ta = elem('TEXTAREA', { value: 'Fødselsnummer 128388 10010' });
  ta.value = 'Fødselsnummer 128388 10010';
  const { rep } = await pv.core.checkNow(ta);
  assert.equal(rep.verdict, 'block');
  assert.ok(stub.sent.some((m) => m.type === MSG.CHECK && m.draft.text === ta.value));
  assert.deepEqual(dispatched, [], 'the shipped content scripts told the page something');
  assert.equal(pv.onChecked, undefined, 'the test hook is in the shipped build');
});
