// Runs axe-core on every admin and compliance page in Chromium and exits
// with status 1 on any violation. Driven by TestPagesAxe (axe_test.go):
//   node axe.mjs BASE_URL ADMIN_USER COMPLIANCE_USER PASSWORD
// @ts-check
import { chromium } from 'playwright-core';
import { createRequire } from 'node:module';
import fs from 'node:fs';

const [base, adminUser, compUser, password] = process.argv.slice(2);
const require = createRequire(import.meta.url);
const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/lib/chromium/chromium',
  headless: true,
  args: ['--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update'],
});
let failed = 0;

// The pages forbid scripts by CSP; bypassCSP lets axe in.
async function session(user) {
  const ctx = await browser.newContext({ bypassCSP: true });
  const page = await ctx.newPage();
  page.on('pageerror', (e) => { failed++; console.log(`page error: ${e}`); });
  await page.goto(base + '/login');
  await check(page, 'login');
  await page.fill('#username', user);
  await page.fill('#password', password);
  await page.click('button[type=submit]');
  await page.waitForLoadState();
  return page;
}

async function check(page, name) {
  await page.addScriptTag({ content: axeSource });
  // eslint-disable-next-line no-undef
  const r = await page.evaluate(async () => await axe.run(document, { resultTypes: ['violations'] }));
  console.log(`${name}: ${r.violations.length} violation(s)`);
  for (const v of r.violations) {
    failed++;
    console.log(`  ${v.id} (${v.impact}): ${v.help}`);
    for (const n of v.nodes.slice(0, 5)) console.log(`    ${n.target.join(' ')}: ${n.failureSummary.replace(/\n/g, ' ')}`);
  }
}

const admin = await session(adminUser);
await check(admin, 'admin');
await admin.goto(base + '/admin/bundles/new');
await check(admin, 'editor');
const doc = await admin.inputValue('#bundle');
await admin.fill('#bundle', doc.replace(/"severity": ?"block"/, '"severity": "fatal"'));
await admin.click('form.stack button[type=submit]');
await check(admin, 'editor with errors');
await admin.fill('#bundle', doc);
await admin.fill('#sample', 'Saken er unntatt offentlighet.');
await admin.click('button[formaction="/admin/bundles/try"]');
await check(admin, 'editor with a try-out');
await admin.click('form.stack button[type=submit]');
await admin.waitForLoadState();
await check(admin, 'admin after saving');
const version = await admin.locator('tbody th a').first().textContent();
await admin.goto(base + '/admin/bundles/' + version);
await check(admin, 'version with diff');
await admin.goto(base + '/admin/test');
await admin.fill('#text', 'Ring 912 34 567. Saken er unntatt offentlighet.');
await admin.click('form.stack button[type=submit]');
await check(admin, 'test box with findings');
await admin.goto(base + '/admin/accounts');
await check(admin, 'accounts');
if (process.env.SCREENSHOT) await admin.screenshot({ path: process.env.SCREENSHOT, fullPage: true });
await admin.click('form[action="/admin/accounts/' + compUser + '/reset"] button');
await admin.waitForLoadState();
await check(admin, 'accounts with a reset code');
const link = (await admin.locator('#reset-link').textContent()) || '';
const anon = await (await browser.newContext({ bypassCSP: true })).newPage();
await anon.goto(link);
await check(anon, 'reset');
await anon.fill('#password', 'kort-nok');
await anon.fill('#password2', 'annerledes');
await anon.click('form.stack button[type=submit]');
await check(anon, 'reset with an error');

// The reset above ended comp's sessions; comp signs in with the old
// password, which a reset code does not change.
const comp = await session(compUser);
await check(comp, 'compliance');
await comp.goto(base + '/compliance/entries/1');
await check(comp, 'entry');
await comp.goto(base + '/compliance/verify');
await check(comp, 'verify');
await comp.goto(base + '/compliance/entries/999999');
await check(comp, 'not found');
await comp.goto(base + '/journal');
await check(comp, 'journal');
await comp.click('tbody th a');
await comp.waitForLoadState();
await check(comp, 'journal item');
await comp.goto(base + '/compliance');
await comp.keyboard.press('Tab');
const first = await comp.evaluate(() => document.activeElement?.textContent?.trim());
if (first !== 'Hopp til innholdet') {
  failed++;
  console.log(`first tab stop is ${JSON.stringify(first)}, want the skip link`);
}

await browser.close();
process.exit(failed ? 1 : 0);
