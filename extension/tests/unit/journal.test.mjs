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
