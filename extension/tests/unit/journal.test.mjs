// The journal content script (content/journal.js): its strings in all
// three languages, and the defaults it reads from a published post.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { fileURLToPath } from 'node:url';

const file = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../content/journal.js');
const source = readFileSync(file, 'utf8');

test('journal strings: every key in nb, nn and en', () => {
  const table = source.slice(source.indexOf('const STR = {'), source.indexOf('let lang ='));
  const blocks = table.split(/\n    (?:nb|nn|en): \{/).slice(1).map((b) => [...b.matchAll(/^      (\w+):/gm)].map((m) => m[1]).sort().join(','));
  assert.equal(blocks.length, 3);
  assert.equal(blocks[1], blocks[0]);
  assert.equal(blocks[2], blocks[0]);
});

/** The script's helpers, run in a context with just enough of a page. */
function helpers() {
  const window = { addEventListener() {} };
  vm.runInNewContext(source, { window, document: { readyState: 'loading' }, setTimeout, URL });
  return window.__postvaktJournal;
}

test('the input deadline and case number come from the post', () => {
  const { guessDeadline, guessCase } = helpers();
  const now = new Date(2026, 10, 30); // 30 November 2026
  const tests = [
    ['Send innspill innen 15. desember!', '2026-12-15'],
    ['Gi innspel innan fredag 9. januar.', '2027-01-09'], // the next January
    ['Fristen er 1. mars 2027.', '2027-03-01'],
    ['Møtet er 1. mars.', ''], // no cue for a deadline
    ['Frist 1.12.2026 for merknader', '2026-12-01'],
    ['Seinast 3.2. vil vi ha svar', '2027-02-03'],
    ['Send innspill til postmottak@eksempel.kommune.no', ''],
    ['Frist 31.13.2026', ''],
  ];
  for (const [text, want] of tests) assert.equal(guessDeadline(text, now), want, text);
  assert.equal(guessCase('Høring i sak 2026/123: Storgata'), '2026/123');
  assert.equal(guessCase('Ring 22 33 44 55'), '');
});

test('the worker sends a long thread in batches and remembers the item', async () => {
  const stored = {};
  globalThis.chrome = { storage: { local: {
    get: async (k) => (typeof k === 'string' ? (k in stored ? { [k]: structuredClone(stored[k]) } : {}) : {}),
    set: async (o) => { Object.assign(stored, structuredClone(o)); },
  } } };
  const { journalHandlers, COMMENT_BATCH } = await import('../../background/journal.js');
  const { MSG } = await import('../../lib/messages.js');
  const calls = [];
  let total = 0;
  const client = {
    async request(p, init) {
      const body = JSON.parse(init.body);
      calls.push({ p, n: body.comments.length });
      total += body.comments.length;
      if (p === '/api/v1/journal' && body.text === '') {
        return new Response(JSON.stringify({ error: { code: 'EINVALID', message: 'text: is required', details: [{ field: 'text', message: 'is required' }] } }), { status: 422 });
      }
      const r = p === '/api/v1/journal' ? { id: 'i-1', comments: total } : { id: 'i-1', added: body.comments.length, comments: total };
      return new Response(JSON.stringify(r), { status: p === '/api/v1/journal' ? 201 : 200 });
    },
  };
  const h = journalHandlers(client);
  const comments = Array.from({ length: COMMENT_BATCH * 2 + 5 }, (_, i) => ({ author: 'A', text: `k${i}` }));
  const item = { platform: 'facebook', url: 'https://facebook.com/p/1', text: 'Høring', title: 'T', deadline: '2026-12-15', comments };
  const r = await h[MSG.JOURNAL_SAVE]({ item });
  assert.deepEqual(calls.map((c) => `${c.p} ${c.n}`), ['/api/v1/journal 100', '/api/v1/journal/i-1/comments 100', '/api/v1/journal/i-1/comments 5']);
  assert.equal(r.id, 'i-1');
  assert.equal(r.comments, 205);
  const known = await h[MSG.JOURNAL_KNOWN]({ urls: ['https://facebook.com/p/1', 'https://facebook.com/p/2'] });
  assert.deepEqual(known.items.map((i) => [i.url, i.id, i.deadline]), [['https://facebook.com/p/1', 'i-1', '2026-12-15']]);
  // A refused item comes back with the server's field problems, and nothing is remembered.
  const bad = await h[MSG.JOURNAL_SAVE]({ item: { ...item, url: 'https://facebook.com/p/3', text: '' } });
  assert.equal(bad.error.code, 'EINVALID');
  assert.equal(bad.error.details[0].field, 'text');
  assert.equal((await h[MSG.JOURNAL_KNOWN]({ urls: ['https://facebook.com/p/3'] })).items.length, 0);
  delete globalThis.chrome;
});
