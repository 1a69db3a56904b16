// @ts-check
// IT sets the extension up by policy (managed_schema.json): the server
// address, the language and the unit. Chromium on Linux reads policies
// from /etc/chromium/policies/managed/, so this test writes a policy file
// for the extension's id there (and removes it afterwards); it needs root
// and is skipped, with a message, without it. Then the options page shows
// the values as set by IT and locked, the popup speaks the policy's
// language, and signing in goes to the policy's server. Run by
// `make test-e2e`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile, rm, access, constants } from 'node:fs/promises';
import path from 'node:path';
import { root, launch, openPage, axeViolations } from './harness.mjs';
import { Postvakt, PASSWORD } from './postvakt.mjs';

const POLICY_DIR = process.env.CHROMIUM_POLICY_DIR || '/etc/chromium/policies/managed';
const POLICY = path.join(POLICY_DIR, 'postvakt-e2e-test.json');
const ID = 'ijipoincheddgcocfojgocelfinkgljg';

/** Why the test cannot run here, or '' when it can. */
async function cannot() {
  try {
    await mkdir(POLICY_DIR, { recursive: true });
    await access(POLICY_DIR, constants.W_OK);
    return '';
  } catch (e) {
    return `cannot write Chromium policies to ${POLICY_DIR} (${/** @type {any} */ (e).code}); run as root to test managed settings`;
  }
}
const skip = await cannot();
if (skip) console.log(`# skipped: ${skip}`);

/** @type {Postvakt} */ let pv;
/** @type {Awaited<ReturnType<typeof launch>>} */ let br;

before(async () => {
  if (skip) return;
  pv = await Postvakt.create([['kari', 'staff']]);
  await pv.start();
  await writeFile(POLICY, JSON.stringify({ '3rdparty': { extensions: { [ID]: { serverUrl: pv.url, language: 'nn', unit: 'Oppvekst' } } } }));
  br = await launch();
});

after(async () => {
  await rm(POLICY, { force: true });
  await br?.close();
  await pv?.close();
});

test('settings from policy are locked in the options and used by the popup\'s sign-in', { skip: skip || false }, async () => {
  // Chromium answers chrome.storage.managed only after its policy service
  // has loaded, a second or more after start.
  const { page, problems } = await openPage(br.ctx, `chrome-extension://${br.extensionId}/pages/options.html`);
  await page.waitForFunction(async () => (await chrome.storage.managed.get('serverUrl')).serverUrl, null, { timeout: 15000 });
  await page.reload();
  await page.locator('html[lang="nn"]').waitFor();
  assert.equal(await page.locator('#serverUrl').inputValue(), pv.url);
  assert.equal(await page.locator('#serverUrl').isDisabled(), true);
  assert.equal(await page.locator('#unit').inputValue(), 'Oppvekst');
  assert.equal(await page.locator('#language').isDisabled(), true);
  assert.equal(await page.locator('#serverUrl').getAttribute('title'), 'Sett av IT (policy)');
  await page.screenshot({ path: path.join(root, 'test-results', 'options-policy.png') });
  assert.deepEqual(await axeViolations(page), []);

  const popup = await br.ctx.newPage();
  await popup.goto(`chrome-extension://${br.extensionId}/pages/popup.html`);
  await popup.locator('#who').filter({ hasText: `Ikkje logga inn på ${pv.url}` }).waitFor();
  await popup.fill('#username', 'kari');
  await popup.fill('#password', PASSWORD);
  await popup.click('#login-button');
  await popup.locator('#who').filter({ hasText: `Logga inn som kari på ${pv.url}` }).waitFor();
  assert.deepEqual(problems, []);
});
