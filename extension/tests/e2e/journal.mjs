// @ts-check
// Journalføring end to end (issue 14): the real server (`postvakt serve`
// on SQLite), Debian's Chromium with the extension, and a test composer
// whose published post shows citizens' comments. A hearing post is
// published → «Lagre for journalføring» with two comments → a later visit
// adds a third → the arkiv role's export validates against the Noark 5
// arkivmelding schema with xmllint. Staff of another unit cannot read the
// item, and bad input gets a clear error without losing what was typed.
// Run by `make test-e2e`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { inflateRawSync } from 'node:zlib';
import os from 'node:os';
import path from 'node:path';
import { root, startServer, launch, openPage, axeViolations } from './harness.mjs';
import { Postvakt, PASSWORD } from './postvakt.mjs';

const HEARING = 'Reguleringsplanen for Storgata er på høring (sak 2026/123).\n\n'
  + 'Send oss innspill innen 15. desember! Les planen: https://www.eksempel.kommune.no/storgata\nHilsen Eksempel kommune';

/** @type {Postvakt} */ let pv;
/** @type {Awaited<ReturnType<typeof startServer>>} */ let pages;
/** @type {Awaited<ReturnType<typeof launch>>} */ let br;

/** @param {string} name */
const token = (name) => pv.token(name);

/**
 * The files of a zip (stored or deflated entries), by name.
 * @param {Buffer} buf
 */
function unzip(buf) {
  /** @type {Record<string, Buffer>} */
  const files = {};
  const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  assert.ok(eocd >= 0, 'not a zip');
  let p = buf.readUInt32LE(eocd + 16);
  const n = buf.readUInt16LE(eocd + 10);
  for (let i = 0; i < n; i++) {
    const method = buf.readUInt16LE(p + 10);
    const size = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extra = buf.readUInt16LE(p + 30);
    const comment = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.subarray(p + 46, p + 46 + nameLen).toString('utf8');
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const data = buf.subarray(start, start + size);
    files[name] = method === 8 ? inflateRawSync(data) : data;
    p += 46 + nameLen + extra + comment;
  }
  return files;
}

/** Opens the popup as a tab and signs in as user. */
async function signIn(user) {
  const page = await br.ctx.newPage();
  await page.goto(`chrome-extension://${br.extensionId}/pages/popup.html?host=127.0.0.1`);
  await page.fill('#username', user);
  await page.fill('#password', PASSWORD);
  await page.click('#login-button');
  await page.locator('#who').filter({ hasText: `Logget inn som ${user}` }).waitFor();
  await page.close();
}

/** The journal items the arkiv role sees. */
async function items(query = '') {
  const r = await pv.api('GET', `/api/v1/journal${query}`, await token('arkivar'));
  assert.equal(r.status, 200, r.text);
  return r.json.items;
}

before(async () => {
  pv = await Postvakt.create([]);
  for (const [name, role, unit] of [['kari', 'staff', 'plan'], ['ola', 'staff', 'helse'], ['arkivar', 'arkiv', 'arkiv'], ['comp', 'compliance', '']]) {
    execFileSync(pv.bin, ['user', 'add', name, '--role', role, '--unit', unit, '--password-stdin', '--data', pv.data], { input: `${PASSWORD}\n` });
  }
  await pv.start();
  pages = await startServer();
  br = await launch();
  const { page } = await openPage(br.ctx, `chrome-extension://${br.extensionId}/pages/options.html`);
  await page.locator('body[data-ready="1"]').waitFor();
  await page.fill('#serverUrl', pv.url);
  await page.click('#save');
  await page.locator('#saved').filter({ hasText: /\S/ }).waitFor();
  await page.close();
  await signIn('kari');
});

after(async () => {
  await br?.close();
  await pv?.close();
  pages?.server.close();
});

test('a hearing post is saved with two comments, a later capture adds a third, and the export validates', async () => {
  const { page, problems } = await openPage(br.ctx, `${pages.base}/journal.html`);
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  await page.fill('#t', HEARING);
  await page.click('#b');
  await page.waitForFunction(() => window['__published'].length === 1);
  const card = page.locator('postvakt-journal .card');
  await card.getByRole('button', { name: 'Lagre for journalføring' }).waitFor();
  // Publishing sent nothing: the offer waits for the writer.
  assert.deepEqual(await items(), []);
  // Two citizens comment before the writer saves.
  await page.evaluate(() => {
    window['addComment']('Ola Nordmann', 'Gata trenger flere trær og færre parkeringsplasser.');
    window['addComment']('Per Olsen', 'Når er folkemøtet?');
  });
  await card.getByRole('button', { name: 'Lagre for journalføring' }).click();
  // Defaults come from the post.
  assert.equal(await card.locator('#pv-j-title').inputValue(), 'Reguleringsplanen for Storgata er på høring (sak 2026/123).');
  assert.equal(await card.locator('#pv-j-case').inputValue(), '2026/123');
  const now = new Date();
  const year = now > new Date(now.getFullYear(), 11, 16) ? now.getFullYear() + 1 : now.getFullYear();
  assert.equal(await card.locator('#pv-j-deadline').inputValue(), `${year}-12-15`);
  assert.equal(await card.locator('#pv-j-url').inputValue(), 'https://www.facebook.com/eksempelkommune/posts/1001');
  assert.match(await card.locator('label.check').innerText(), /\(2\)/);
  assert.deepEqual(await axeViolations(page, 'postvakt-journal'), []);
  // A case number the archive cannot read is refused with a clear error,
  // and what the writer typed stays in the form.
  await card.locator('#pv-j-case').fill('sak tolv');
  await card.locator('#pv-j-title').fill('Høring: reguleringsplan for Storgata');
  await card.locator('#pv-j-comments').check();
  await card.getByRole('button', { name: 'Lagre', exact: true }).click();
  await card.locator('.error').filter({ hasText: 'case' }).waitFor();
  assert.equal(await card.locator('#pv-j-title').inputValue(), 'Høring: reguleringsplan for Storgata');
  assert.deepEqual(await items(), []);
  await card.locator('#pv-j-case').fill('2026/123');
  await card.getByRole('button', { name: 'Lagre', exact: true }).click();
  await card.locator('.ok').filter({ hasText: 'Lagret for journalføring med 2 kommentarer' }).waitFor();

  let [it] = await items();
  assert.equal(it.title, 'Høring: reguleringsplan for Storgata');
  assert.equal(it.unit, 'plan');
  assert.equal(it.comment_count, 2);
  assert.equal(it.case, '2026/123');

  // A third comment arrives; the writer comes back to the post.
  await page.evaluate(() => window['addComment']('Kari Hansen', 'Jeg støtter planen.'));
  await page.reload();
  await card.getByRole('button', { name: 'Lagre nye kommentarer for journalføring' }).click();
  await card.locator('.ok').filter({ hasText: '1 ny kommentar lagret (3 i alt)' }).waitFor();
  [it] = await items();
  assert.equal(it.comment_count, 3);

  // The arkiv role exports it; arkivmelding.xml validates against the schema.
  const res = await fetch(`${pv.url}/api/v1/journal/${it.id}/arkivmelding`, { headers: { Authorization: `Bearer ${await token('arkivar')}` } });
  assert.equal(res.status, 200);
  const files = unzip(Buffer.from(await res.arrayBuffer()));
  const xml = files['arkivmelding.xml'];
  assert.ok(xml, `the zip holds ${Object.keys(files)}`);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'postvakt-noark-'));
  try {
    await writeFile(path.join(dir, 'arkivmelding.xml'), xml);
    execFileSync('xmllint', ['--noout', '--nonet', '--schema', path.join(root, 'server', 'noark', 'testdata', 'arkivmelding.xsd'), path.join(dir, 'arkivmelding.xml')], { stdio: 'pipe' });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const doc = files[`innlegg-${it.id}.html`].toString('utf8');
  for (const want of ['Gata trenger flere trær', 'Når er folkemøtet?', 'Jeg støtter planen.', 'Send oss innspill innen 15. desember!']) {
    assert.ok(doc.includes(want), `the document lacks ${want}`);
  }
  assert.match(xml.toString('utf8'), /<offentligTittel>Høring: reguleringsplan for Storgata<\/offentligTittel>/);
  assert.equal((await items('?status=exported')).length, 1);
  // The export is in the audit log.
  const audit = await pv.api('GET', '/api/v1/audit?action=journal_exported', await token('comp'));
  assert.match(audit.text, new RegExp(it.id));
  assert.deepEqual(problems, []);
  await page.close();
});

test('staff of another unit cannot read the item; other roles are refused', async () => {
  const [it] = await items();
  const ola = await token('ola');
  assert.equal((await pv.api('GET', `/api/v1/journal/${it.id}`, ola)).status, 404);
  assert.deepEqual((await pv.api('GET', '/api/v1/journal', ola)).json.items, []);
  assert.equal((await pv.api('POST', `/api/v1/journal/${it.id}/comments`, ola, { comments: [{ author: 'X', text: 'y' }] })).status, 404);
  assert.equal((await pv.api('GET', `/api/v1/journal/${it.id}/arkivmelding`, ola)).status, 403);
  const kari = await token('kari');
  assert.equal((await pv.api('GET', `/api/v1/journal/${it.id}`, kari)).status, 200);
  assert.equal((await pv.api('GET', `/api/v1/journal/${it.id}/arkivmelding`, kari)).status, 403);
  assert.equal((await pv.api('POST', '/api/v1/journal', await token('arkivar'), {})).status, 403);
});

test('bad input gets a clear error and loses nothing', async () => {
  const kari = await token('kari');
  const [before] = await items();
  const base = { platform: 'facebook', url: 'https://www.facebook.com/eksempelkommune/posts/2002', published_at: new Date().toISOString(), text: 'Høring.' };
  const cases = [
    { name: 'missing text', body: { ...base, text: undefined }, status: 422, says: 'text' },
    { name: 'missing url', body: { ...base, url: undefined }, status: 422, says: 'url' },
    { name: 'huge comment', body: { ...base, comments: [{ author: 'A', text: 'x'.repeat(40000) }] }, status: 422, says: 'comments[0].text' },
    { name: 'comments of the wrong type', body: { ...base, comments: 'A: x' }, status: 400, says: 'comments' },
    { name: 'a number for text', body: { ...base, text: 7 }, status: 400, says: 'text' },
  ];
  for (const c of cases) {
    const r = await pv.api('POST', '/api/v1/journal', kari, c.body);
    assert.equal(r.status, c.status, `${c.name}: ${r.text}`);
    assert.ok(r.json.error.message.includes(c.says), `${c.name}: ${r.json.error.message} should name ${c.says}`);
  }
  const r = await pv.api('POST', `/api/v1/journal/${before.id}/comments`, kari, { comments: [{ author: 'A', text: 'ny' }, { author: '', text: 'uten navn' }] });
  assert.equal(r.status, 422, r.text);
  assert.match(r.json.error.message, /comments\[1\]\.author/);
  const all = await items();
  assert.equal(all.length, 1);
  assert.equal(all[0].comment_count, before.comment_count);
});
