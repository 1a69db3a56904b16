// @ts-check
// The extension's own pages (popup and options) in Debian's Chromium: they
// show the checker's status with no server, pass axe-core, and the options
// page saves settings that the popup then speaks in. Run by make test-e2e.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, axeViolations } from './harness.mjs';

/** @type {Awaited<ReturnType<typeof launch>>} */
let br;
before(async () => { br = await launch(); });
after(async () => { await br?.close(); });

/** @param {string} file */
async function open(file) {
  const page = await br.ctx.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('response', (r) => { if (r.status() === 404) problems.push(`404: ${r.url()}`); });
  await page.goto(`chrome-extension://${br.extensionId}/pages/${file}`);
  return { page, problems };
}

test('popup: status, rules version and queue with no server; accessible', async () => {
  const { page, problems } = await open('popup.html?host=www.facebook.com');
  await page.locator('#status', { hasText: 'Sjekken er klar' }).waitFor();
  assert.match(await page.locator('#version').innerText(), /\S/);
  assert.equal(await page.locator('#queue').innerText(), '0');
  assert.match(await page.locator('#who').innerText(), /innebygde reglene/);
  assert.equal(await page.locator('#login').isHidden(), true, 'a sign-in form with no server to sign in to');
  assert.match(await page.locator('#site').innerText(), /på for dette nettstedet: www\.facebook\.com/);
  assert.deepEqual(await axeViolations(page), []);
  assert.deepEqual(problems, []);
  await page.close();
});

test('options: saves settings, switches the language and is accessible', async () => {
  const { page, problems } = await open('options.html');
  await page.locator('#save', { hasText: 'Lagre' }).waitFor();
  assert.deepEqual(await axeViolations(page), []);
  await page.fill('#user', 'kari.nordmann');
  await page.fill('#unit', 'Kommunikasjon');
  await page.selectOption('#language', 'en');
  await page.click('#save');
  await page.locator('#save', { hasText: 'Save' }).waitFor();
  const popup = await open('popup.html');
  await popup.page.locator('#status', { hasText: 'The checker is ready' }).waitFor();
  await popup.page.close();
  // Back to bokmål so other tests see the default.
  await page.selectOption('#language', 'nb');
  await page.click('#save');
  await page.locator('#save', { hasText: 'Lagre' }).waitFor();
  assert.deepEqual([...problems, ...popup.problems], []);
  await page.close();
});

test('options: a page the browser refuses is not added, says so, and the rest is saved', async () => {
  const page = await br.ctx.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  // The browser's permission prompt cannot be answered headless: the
  // writer's «Block» is played by the request itself.
  await page.addInitScript(() => {
    chrome.permissions.request = async ({ origins }) => { window['__asked'] = origins; return !origins.some((o) => o.includes('8001')); };
  });
  await page.goto(`chrome-extension://${br.extensionId}/pages/options.html`);
  await page.locator('#addPage', { hasText: 'Legg til side' }).waitFor();
  await page.fill('#serverUrl', 'https://postvakt.kommune.no');
  await page.fill('#page', 'http://localhost:8001/utkast.html');
  await page.click('#addPage');
  await page.locator('#problem', { hasText: 'fikk ikke lov til å lese http://localhost:8001/*' }).waitFor();
  assert.deepEqual(await page.evaluate(() => window['__asked']), ['http://localhost:8001/*']);
  const saved = await page.evaluate(() => chrome.storage.local.get('settings'));
  assert.equal(saved.settings.serverUrl, 'https://postvakt.kommune.no', 'the server address was dropped');
  assert.deepEqual(saved.settings.sites || [], []);
  // Granted: added, as a pattern for the whole origin.
  await page.fill('#page', 'http://localhost:8000/utkast.html');
  await page.click('#addPage');
  await page.locator('#saved', { hasText: 'Lagt til: http://localhost:8000/*' }).waitFor();
  assert.equal(await page.locator('#sites').inputValue(), 'http://localhost:8000/*');
  const after = await page.evaluate(() => chrome.storage.local.get('settings'));
  assert.deepEqual(after.settings.sites, ['http://localhost:8000/*']);
  assert.equal(after.settings.serverUrl, 'https://postvakt.kommune.no');
  await page.evaluate(() => chrome.storage.local.remove('settings'));
  assert.deepEqual(problems, []);
  await page.close();
});
