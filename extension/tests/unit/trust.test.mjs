// @ts-check
// The worker's one gate per trust tier (senderAllowed in lib/messages.js):
// who may send which message, as a table; and no message name or error
// code is written out anywhere but the catalogue.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MSG, ERR, TIER, senderAllowed } from '../../lib/messages.js';
import { chromeStub } from './chrome-stub.mjs';

const { chrome } = chromeStub();
const ID = chrome.runtime.id;
const BASE = chrome.runtime.getURL('');
const page = { id: ID, url: chrome.runtime.getURL('pages/popup.html') };
const offscreen = { id: ID, url: chrome.runtime.getURL('offscreen/stream.html') };
const content = { id: ID, url: 'https://www.facebook.com/', tab: { id: 1 } };
const stranger = { id: 'another-extension', url: chrome.runtime.getURL('pages/popup.html') };

test('every message name has a tier', () => {
  for (const name of Object.values(MSG)) {
    const prefix = name.split('-')[0];
    assert.ok(prefix === 'bg' || prefix in TIER, `${name}: no tier for ${prefix}`);
  }
});

test('senders by tier', () => {
  const rows = [
    [MSG.CHECK, content, true], [MSG.CHECK, page, true], [MSG.AUDIT, content, true],
    [MSG.STATUS, page, true], [MSG.STATUS, content, false], [MSG.QUEUE, content, false],
    [MSG.LOGIN, content, false], [MSG.SET_SITE, content, false], [MSG.SET_SITE, offscreen, false],
    [MSG.STREAM_TOKEN, offscreen, true], [MSG.STREAM_TOKEN, page, false], [MSG.STREAM_EVENT, content, false],
    [MSG.CHECK, stranger, false], [MSG.STATUS, stranger, false],
    [MSG.RULES_CHANGED, page, false], ['xx-unknown', page, false],
    // A page whose address merely contains the extension's pages path.
    [MSG.QUEUE, { id: ID, url: `https://evil.example/${BASE}pages/` }, false],
  ];
  for (const [type, sender, want] of rows) {
    assert.equal(senderAllowed(type, sender, ID, BASE), want, `${type} from ${sender.url}`);
  }
});

test('message names and error codes are written only in the catalogue', () => {
  const ext = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  const names = [...Object.values(MSG), ...Object.values(ERR)];
  for (const dir of ['background', 'content', 'pages', 'offscreen']) {
    for (const f of readdirSync(path.join(ext, dir)).filter((x) => x.endsWith('.js'))) {
      const src = readFileSync(path.join(ext, dir, f), 'utf8');
      for (const n of names) assert.ok(!src.includes(`'${n}'`), `${dir}/${f} writes '${n}'`);
    }
  }
});
