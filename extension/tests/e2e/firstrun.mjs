// @ts-check
// The first run, as a new organisation meets it (issue 16): `postvakt
// serve` on an empty data directory, the setup page in a browser, the
// organisation's domain in its profile, and then the extension, pointed
// at the server, lets a post that links to that domain pass. A severity
// changed in the rule editor and published reaches an open composer.
// Run by `make test-e2e`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { startServer, launch, openPage, axeViolations } from './harness.mjs';
import { Postvakt } from './postvakt.mjs';

const ADMIN_PASSWORD = 'et-langt-passord';
const OWN = 'https://www.fjordvik.kommune.no/bibliotek';

/** @type {Postvakt} */ let pv;
/** @type {{server: import('node:http').Server, base: string}} */ let pages;
/** @type {Awaited<ReturnType<typeof launch>>} */ let br;
/** @type {import('playwright-core').Browser} */ let adminBrowser;
/** @type {import('playwright-core').Page} */ let admin;

before(async () => {
  pv = await Postvakt.create([]); // no account: the first run is ours
  await pv.start();
  pages = await startServer();
  br = await launch();
  // The admin works in a browser of their own, without the extension.
  adminBrowser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  admin = await (await adminBrowser.newContext()).newPage();
  admin.on('pageerror', (e) => console.log('# admin page error:', e.message));
  admin.on('requestfailed', (r) => console.log('# admin request failed:', r.url()));
});

after(async () => {
  await adminBrowser?.close();
  await br?.close();
  await pv?.close();
  pages?.server.close();
});

/** Opens the Facebook-like composer and types text. */
async function composer(text) {
  const { page, problems } = await openPage(br.ctx, `${pages.base}/facebook.html`);
  await page.click('#composer');
  await page.evaluate(() => {
    const r = document.createRange();
    r.selectNodeContents(/** @type {Node} */ (document.querySelector('#composer span[data-lexical-text]')));
    r.collapse(false);
    getSelection()?.removeAllRanges();
    getSelection()?.addRange(r);
  });
  await page.keyboard.type(text);
  await page.waitForFunction(() => document.querySelector('postvakt-layer'));
  return { page, problems };
}

test('an empty server leads to /setup, which creates the admin and the profile, then is gone', async () => {
  await admin.goto(pv.url + '/');
  assert.match(admin.url(), /\/setup$/);
  await admin.fill('#org_name', 'Fjordvik kommune');
  await admin.fill('#own_domains', 'fjordvik.kommune.no');
  await admin.fill('#phones', '55 12 34 56');
  await admin.fill('#units', 'Biblioteket');
  await admin.fill('#admin_name', 'kari');
  await admin.fill('#admin_password', ADMIN_PASSWORD);
  await admin.fill('#admin_password2', ADMIN_PASSWORD);
  await admin.click('form.stack button[type=submit]');
  await admin.locator('.flash', { hasText: 'Postvakt er satt opp' }).waitFor();
  assert.deepEqual(await axeViolations(admin), []);
  const gone = await fetch(pv.url + '/setup');
  assert.equal(gone.status, 404);
});

test('the extension, pointed at the server, lets a post linking to the own domain pass', async () => {
  // Before: the built-in placeholder organisation warns about the link.
  const before = await composer(`Biblioteket har nye åpningstider: ${OWN}`);
  await before.page.locator('postvakt-layer .f[data-rule="link.own_site_missing"]').waitFor({ state: 'attached' });
  await before.page.close();

  const { page: opts } = await openPage(br.ctx, `chrome-extension://${br.extensionId}/pages/options.html`);
  await opts.locator('body[data-ready="1"]').waitFor();
  await opts.fill('#serverUrl', pv.url);
  await opts.click('#save');
  await opts.locator('#saved').filter({ hasText: /\S/ }).waitFor();
  await opts.close();
  const pop = await br.ctx.newPage();
  await pop.goto(`chrome-extension://${br.extensionId}/pages/popup.html?host=127.0.0.1`);
  await pop.fill('#username', 'kari');
  await pop.fill('#password', ADMIN_PASSWORD);
  await pop.click('#login-button');
  await pop.locator('#who').filter({ hasText: 'Logget inn som kari' }).waitFor();
  await pop.locator('#version').filter({ hasNotText: /builtin|–/ }).waitFor({ timeout: 10000 });
  await pop.close();

  const { page, problems } = await composer(`Biblioteket har nye åpningstider: ${OWN}`);
  await page.waitForTimeout(500);
  assert.equal(await page.locator('postvakt-layer .f').count(), 0, 'a finding on a post that links to the own site');
  assert.deepEqual(problems, []);
  await page.close();

  // The README's first blocked draft.
  const blocked = await composer('Stem på Høyre ved valget! https://www.fjordvik.kommune.no/valg');
  await blocked.page.locator('postvakt-layer .f.block[data-rule="politics.campaign"]').waitFor({ state: 'attached' });
  assert.equal(await blocked.page.locator('postvakt-layer .f[data-rule="link.own_site_missing"]').count(), 0);
  assert.deepEqual(blocked.problems, []);
  await blocked.page.close();
});

test('a severity changed in the rule editor and published reaches an open composer', async () => {
  const { page, problems } = await composer(`Skriv til ola.nordmann@gmail.com for påmelding. ${OWN}`);
  await page.locator('postvakt-layer .f.warn[data-rule="pii.email"]').waitFor({ state: 'attached' });

  await admin.goto(pv.url + '/admin/rules/pii.email');
  assert.deepEqual(await axeViolations(admin), []);
  // The try-out follows the typing, without a click.
  await admin.fill('#sample', 'Skriv til ola.nordmann@gmail.com');
  await admin.locator('#resultat h2', { hasText: 'Teksten: advarsel' }).waitFor({ timeout: 10000 });
  await admin.selectOption('#severity', 'block');
  await admin.locator('#resultat h2', { hasText: 'Teksten: stoppes' }).waitFor({ timeout: 10000 });
  await admin.click('button[value=publish]');
  await admin.locator('.flash', { hasText: 'Regelen er publisert' }).waitFor();
  const t0 = Date.now();
  await page.locator('postvakt-layer .f.block[data-rule="pii.email"]').waitFor({ state: 'attached', timeout: 10000 });
  console.log(`# the new severity reached the composer after ${Date.now() - t0} ms`);
  assert.deepEqual(problems, []);
  await page.close();
});
