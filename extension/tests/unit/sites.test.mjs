// @ts-check
// Adding a site in the options (lib/sites.js) with a chrome stub: page
// addresses become match patterns, and a refused permission never drops
// the other settings.
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { chromeStub } from './chrome-stub.mjs';

const stub = chromeStub({ grant: (origins) => !origins.some((o) => o.includes('nei.example')) });
globalThis.chrome = /** @type {any} */ (stub.chrome);
const { sitePattern, saveWithSites } = await import('../../lib/sites.js');
const { settings, saveSettings } = await import('../../lib/ext.js');

const request = (origins) => chrome.permissions.request({ origins });

beforeEach(() => { stub.chrome.storage.local._reset(); stub.requested.length = 0; });

test('site patterns from page addresses and patterns', () => {
  const rows = [
    ['http://localhost:8000/utkast.html', 'http://localhost:8000/*'],
    ['http://127.0.0.1:5500/', 'http://127.0.0.1:5500/*'],
    ['https://cms.kommune.no/*', 'https://cms.kommune.no/*'],
    ['https://*.kommune.no/*', 'https://*.kommune.no/*'],
    ['cms.kommune.no/nyheter/ny', 'https://cms.kommune.no/*'],
  ];
  for (const [input, want] of rows) assert.deepEqual(sitePattern(input), { pattern: want }, input);
  for (const bad of ['', 'file:///home/kari/utkast.html', 'ftp://x.no/', 'http://']) assert.ok('error' in sitePattern(bad), bad);
});

test('a refused permission keeps the server address and the sites granted before', async () => {
  await saveSettings({ serverUrl: 'https://postvakt.old.no', sites: ['https://cms.kommune.no/*'] });
  const r = await saveWithSites({
    patch: { serverUrl: 'https://postvakt.kommune.no', user: 'kari' },
    sites: ['https://cms.kommune.no/*', 'http://nei.example:8000/*'],
    previous: ['https://cms.kommune.no/*'], request, save: saveSettings,
  });
  assert.deepEqual(r, { refused: ['http://nei.example:8000/*'] });
  assert.deepEqual(stub.requested, ['http://nei.example:8000/*'], 'asked again for a site granted before');
  const s = await settings(0);
  assert.equal(s.serverUrl, 'https://postvakt.kommune.no');
  assert.equal(s.user, 'kari');
  assert.deepEqual(s.sites, ['https://cms.kommune.no/*']);
});

test('a granted permission saves the new site with the rest', async () => {
  const r = await saveWithSites({
    patch: { language: 'nn' }, sites: ['http://localhost:8000/*'], previous: [], request, save: saveSettings,
  });
  assert.deepEqual(r, { refused: [] });
  const s = await settings(0);
  assert.equal(s.language, 'nn');
  assert.deepEqual(s.sites, ['http://localhost:8000/*']);
});

test('a request that throws counts as refused, and sites set by policy are left alone', async () => {
  const r = await saveWithSites({
    patch: { unit: 'arkiv' }, sites: ['http://localhost:9000/*'], previous: [],
    request: () => { throw new Error('no gesture'); }, save: saveSettings,
  });
  assert.deepEqual(r, { refused: ['http://localhost:9000/*'] });
  assert.equal((await settings(0)).unit, 'arkiv');
  await saveSettings({ sites: ['https://cms.kommune.no/*'] });
  await saveWithSites({ patch: { unit: 'x' }, sites: null, previous: [], request, save: saveSettings });
  assert.deepEqual((await settings(0)).sites, ['https://cms.kommune.no/*']);
});
