// Runs axe-core on the first-run, profile and rule editor pages in
// Chromium, on a server with no account yet, and exits with status 1 on
// any violation. Driven by TestNewPagesAxe (axe_new_test.go):
//   node axe_new.mjs BASE_URL
// With SCREENSHOTS=DIR it also saves the README's screenshots there.
// @ts-check
import { chromium } from 'playwright-core';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';

const [base] = process.argv.slice(2);
const shots = process.env.SCREENSHOTS || '';
const require = createRequire(import.meta.url);
const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/lib/chromium/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
let failed = 0;

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

async function shot(page, name) {
  if (shots) await page.screenshot({ path: path.join(shots, name), fullPage: true });
}

const ctx = await browser.newContext({ bypassCSP: true, viewport: { width: 1100, height: 900 }, locale: 'nb-NO' });
const page = await ctx.newPage();
page.on('pageerror', (e) => { failed++; console.log(`page error: ${e}`); });
await page.goto(base + '/');
if (!page.url().endsWith('/setup')) { failed++; console.log(`/ led to ${page.url()}, not /setup`); }
await check(page, 'setup');
await page.fill('#org_name', 'Fjordvik kommune');
await page.fill('#org_number', '974760673');
await page.fill('#own_domains', 'fjordvik.kommune.no');
await page.fill('#phones', '55 12 34 56');
await page.fill('#postal_address', 'Postboks 1, 5999 Fjordvik');
await page.fill('#visiting_address', 'Rådhusgata 1, 5999 Fjordvik');
await page.fill('#units', 'Servicetorget\nBiblioteket');
await page.fill('#admin_name', 'kari');
await page.fill('#admin_password', 'et-langt-passord');
await page.fill('#admin_password2', 'et-langt-passord');
await shot(page, 'setup.png');
await page.fill('#admin_password2', 'noe annet');
await page.fill('#org_number', '974760674');
await page.click('form.stack button[type=submit]');
await page.waitForLoadState();
await check(page, 'setup with errors');
await page.fill('#org_number', '974760673');
await page.fill('#admin_password', 'et-langt-passord');
await page.fill('#admin_password2', 'et-langt-passord');
await page.click('form.stack button[type=submit]');
await page.waitForLoadState();
if (!page.url().includes('/admin')) { failed++; console.log(`setup led to ${page.url()}`); }
await check(page, 'admin after setup');

await page.goto(base + '/admin/profile');
await check(page, 'profile');
await page.fill('#own_domains', 'fjordvik.kommune.no\nfjordvik.no');
await page.fill('#crisis_team', 'kari');
await page.click('button[value=preview]');
await page.waitForLoadState();
await check(page, 'profile with a diff');
await shot(page, 'profile.png');
await page.fill('#org_number', '123');
await page.click('button[value=publish]');
await page.waitForLoadState();
await check(page, 'profile with errors');

await page.goto(base + '/admin/rules');
await check(page, 'rules');
await page.goto(base + '/admin/rules/pii.phone');
await check(page, 'rule editor');
await page.selectOption('#severity', 'block');
await page.fill('#sample', 'Ring meg på 912 34 567, eller se https://fjordvik.kommune.no/kontakt');
await page.click('button[value=try]');
await page.waitForLoadState();
await check(page, 'rule editor with a try-out');
await shot(page, 'rule-editor.png');
await page.click('button[value=publish]');
await page.waitForLoadState();
await check(page, 'rule editor with a refusal');

await browser.close();
console.log(failed ? `${failed} problem(s)` : 'no violations');
process.exit(failed ? 1 : 0);
