// @ts-check
// The extension on composers made with real editors from npm (test tools
// only, bundled here with esbuild): Lexical inside open shadow roots (a
// post composer and a comment box that sends on Enter), ProseMirror with
// history inside a form in a same-origin iframe, Quill, and Draft.js with
// React in a same-origin iframe. Findings must
// follow paste, deletion, undo and redo with no further keystroke, and the
// guard must hold for every publish control, Enter to send and a form's
// submit. Run by `make test-e2e`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { build } from 'esbuild';
import { root, startServer, launch, openPage } from './harness.mjs';

const FNR = '128388 10010'; // a synthetic test number (month + 80), valid check digits
const OWN = 'https://www.eksempel.kommune.no/aktuelt';
const pages = path.join(root, 'extension', 'tests', 'pages');

/** @type {{server: import('node:http').Server, base: string}} */
let srv;
/** @type {Awaited<ReturnType<typeof launch>>} */
let br;

before(async () => {
  await build({
    entryPoints: ['lexical', 'prosemirror', 'quill', 'draft'].map((n) => path.join(pages, 'editors', `${n}.js`)),
    bundle: true, format: 'iife', outdir: path.join(pages, 'gen'), logLevel: 'error',
    define: { 'process.env.NODE_ENV': '"production"', global: 'window' },
  });
  srv = await startServer();
  br = await launch();
  await br.ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: srv.base });
});
after(async () => {
  await br?.close();
  srv?.server.close();
});

/** Opens a page; every frame records the checks the test hook reports. */
async function open(file) {
  const page = await br.ctx.newPage();
  await page.addInitScript(() => {
    window['__pv'] = [];
    document.addEventListener('postvakt:checked', (e) => window['__pv'].push(JSON.parse(/** @type {any} */ (e).detail)));
  });
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('response', (r) => { if (r.status() === 404) problems.push(`404: ${r.url()}`); });
  await page.goto(`${srv.base}/${file}`);
  return { page, problems };
}

/**
 * Waits until the last check in a frame satisfies want (rules, verdict, length).
 * @param {import('playwright-core').Page | import('playwright-core').Frame} f
 * @param {(c: {findings: number, verdict: string, rules: string[], length: number}) => boolean} want
 */
async function lastCheck(f, want) {
  await f.waitForFunction(`(() => { const c = (window.__pv || []).at(-1); return !!c && (${want})(c); })()`, null, { timeout: 15000 });
  return f.evaluate(() => window['__pv'].at(-1));
}

const hasFnr = (c) => c.rules.includes('pii.national_id');
const noFnr = (c) => !c.rules.includes('pii.national_id');
const published = (f) => f.evaluate(() => window['__published'].length);

/** Pastes text as the writer does: into the clipboard, then Ctrl+V. */
async function paste(page, text) {
  await page.evaluate((t) => navigator.clipboard.writeText(t), text);
  await page.keyboard.press('Control+V');
}

const lexical = (page, id) => page.locator(`#${id} [contenteditable]`);

test('Lexical in a shadow root: a pasted draft is checked with no further key, and deletion clears it', async () => {
  const { page, problems } = await open('lexical.html');
  await lexical(page, 'composer').click();
  await paste(page, `Hei! Vi har registrert deg med fødselsnummer ${FNR}.`);
  await lastCheck(page, hasFnr);
  await page.locator('postvakt-layer .badge.block').waitFor();
  // Backspace twice breaks the number's check digits: the finding goes.
  await page.keyboard.press('End');
  await page.keyboard.press('Backspace');
  await page.keyboard.press('Backspace');
  await page.keyboard.press('Backspace');
  await lastCheck(page, noFnr);
  // Select a word and delete it; then everything.
  await page.keyboard.type(` Ring 912 34 567.`);
  await lastCheck(page, (c) => c.rules.includes('pii.phone'));
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Backspace');
  const c = await lastCheck(page, (x) => x.length === 0);
  assert.deepEqual(c.rules, []); // An empty composer has nothing to find.
  await page.locator('postvakt-layer .badge.ok').waitFor();
  assert.equal(await page.locator('postvakt-layer .panel .f').count(), 0);
  assert.deepEqual(problems, []);
  await page.close();
});

test('IME composition is checked when it ends, and text inserted without keys (autocorrect) is checked', async () => {
  const { page, problems } = await open('quill.html');
  await page.click('.ql-editor');
  const cdp = await br.ctx.newCDPSession(page);
  // A composition in progress, then committed.
  await cdp.send('Input.imeSetComposition', { text: 'Fødselsnummer 128388', selectionStart: 20, selectionEnd: 20 });
  await cdp.send('Input.imeSetComposition', { text: `Fødselsnummer ${FNR}`, selectionStart: 26, selectionEnd: 26 });
  await cdp.send('Input.insertText', { text: `Fødselsnummer ${FNR}` });
  await lastCheck(page, hasFnr);
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Backspace');
  await lastCheck(page, (c) => c.length === 0);
  // Text put in by the platform's input method with no key events.
  await page.keyboard.insertText(`Ring meg på 912 34 567. ${OWN}`);
  await lastCheck(page, (c) => c.rules.includes('pii.phone'));
  assert.deepEqual(problems, []);
  await page.close();
});

// Labels a publish control may carry; each must be guarded.
const LABELS = [
  { text: 'Publiser innlegg' }, { text: 'Publiser nå' }, { text: 'Publiser!' }, { text: 'Planlegg' },
  { text: 'Kommenter' }, { text: 'Del innlegg' }, { text: 'Legg ut nå' }, { text: 'Send inn' },
  { text: 'Share now' }, { text: 'Post now' }, { text: 'Svar' }, { text: 'Tweet' }, { text: 'Reply' },
  { text: '', aria: 'Publiser' }, { text: '➤', aria: 'Legg ut' }, { text: 'OK', aria: 'Send' },
];

test('every publish label family is guarded, nested or not, and other controls are not', async () => {
  const { page, problems } = await open('lexical.html');
  await lexical(page, 'composer').click();
  await page.keyboard.type(`Fødselsnummeret ditt er ${FNR}. ${OWN}`);
  await lastCheck(page, hasFnr);
  for (const l of LABELS) {
    await page.evaluate((x) => {
      const b = document.getElementById('publish');
      // A span with role=button inside the control, as React apps render them.
      b.innerHTML = x.text ? `<span role="button"><span>${x.text}</span></span>` : '<svg width="12" height="12"></svg>';
      if (x.aria) b.setAttribute('aria-label', x.aria); else b.removeAttribute('aria-label');
    }, l);
    await page.click('#publish');
    await page.locator('postvakt-layer .dialog.blocked').waitFor();
    await page.locator('postvakt-layer .dialog.blocked button').click();
    await page.locator('postvakt-layer .dialog').waitFor({ state: 'detached' });
    assert.equal(await published(page), 0, `published through «${l.text || l.aria}»`);
  }
  // A link acting as a button, by keyboard: Enter on the focused control.
  await page.evaluate(() => {
    const b = document.getElementById('publish');
    b.innerHTML = 'Publiser';
    b.removeAttribute('aria-label');
  });
  await page.focus('#publish');
  await page.keyboard.press('Enter');
  await page.locator('postvakt-layer .dialog.blocked').waitFor();
  await page.locator('postvakt-layer .dialog.blocked button').click();
  assert.equal(await published(page), 0, 'published with Enter on the control');
  // «Avbryt» is not a publish control, and «Del» or «Svar» under another
  // post in the feed does not belong to the draft: no dialog.
  for (const sel of ['#cancel', '#share', '#reply']) await page.click(sel);
  assert.deepEqual(await page.evaluate(() => window['__clicks']), ['cancel', 'share', 'reply'], 'a click was held');
  assert.equal(await page.locator('postvakt-layer .dialog').count(), 0);
  assert.deepEqual(problems, []);
  await page.close();
});

/** The actions of the local audit queue's entries, read through an extension page. */
async function auditActions() {
  const page = await br.ctx.newPage();
  await page.goto(`chrome-extension://${br.extensionId}/pages/popup.html`);
  const r = await page.evaluate(() => chrome.runtime.sendMessage({ type: 'ui-queue' }));
  await page.close();
  return r.entries.map((e) => e.action);
}

test('Enter in a comment box that sends on Enter is guarded; Shift+Enter makes a new line', async () => {
  const start = (await auditActions()).length;
  const { page, problems } = await open('lexical.html');
  await lexical(page, 'comment').click();
  await page.keyboard.type(`Hei Kari, fødselsnummeret ditt ${FNR} er registrert.`);
  await lastCheck(page, hasFnr);
  await page.keyboard.press('Enter');
  await page.locator('postvakt-layer .dialog.blocked').waitFor();
  assert.equal(await published(page), 0, 'the comment was sent');
  await page.locator('postvakt-layer .dialog.blocked button').click();
  await page.locator('postvakt-layer .dialog').waitFor({ state: 'detached' });
  assert.equal(await published(page), 0);
  // Pasted, not typed: the decision uses the text at the moment of sending.
  await page.keyboard.press('Control+A');
  await paste(page, 'Takk for spørsmålet! Vi svarer deg i innboksen.');
  await page.keyboard.press('Shift+Enter');
  await page.keyboard.type('Hilsen Kari, servicetorget');
  await lastCheck(page, (c) => c.length > 60 && !c.rules.includes('pii.national_id'));
  assert.equal(await published(page), 0, 'Shift+Enter sent the comment');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => window['__published'].length === 1);
  assert.match(await page.evaluate(() => window['__published'][0]), /^Takk for spørsmålet![^]*\nHilsen Kari/);
  // Pasted right before Enter, with no time to check in between.
  await paste(page, `Fødselsnummer ${FNR}`);
  await page.keyboard.press('Enter');
  await page.locator('postvakt-layer .dialog.blocked').waitFor();
  assert.equal(await published(page), 1);
  // Audited: the stop, the clean reply sent (a clean Enter is not held,
  // and is audited when the box empties), the second stop; the new line
  // made with Shift+Enter is no entry.
  for (const deadline = Date.now() + 10000; (await auditActions()).length < start + 3 && Date.now() < deadline;);
  assert.deepEqual((await auditActions()).slice(start), ['blocked', 'published', 'blocked']);
  assert.deepEqual(problems, []);
  await page.close();
});

test('the layer follows the composer when the page scrolls, and leaves with it when the page removes it', async () => {
  const { page, problems } = await open('lexical.html');
  await lexical(page, 'composer').click();
  await page.keyboard.type(`Fødselsnummer ${FNR}.`);
  await page.locator('postvakt-layer .badge.block').waitFor();
  // The underline sits on the number; scrolled, it moves with the text.
  await page.locator('postvakt-layer .u.block').first().waitFor();
  const top = () => page.evaluate(() => document.querySelector('postvakt-layer')?.shadowRoot?.querySelector('.u.block')?.getBoundingClientRect().top ?? NaN);
  const before = await top();
  await page.evaluate(() => window.scrollBy(0, 20));
  await page.waitForFunction((y) => {
    const u = document.querySelector('postvakt-layer')?.shadowRoot?.querySelector('.u.block');
    return !!u && Math.abs(u.getBoundingClientRect().top - (y - 20)) < 2;
  }, before);
  assert.ok(before > 20, `underline at ${before}`);
  // Hidden by the page (a class or style change), then shown again.
  await page.evaluate(() => { document.getElementById('dialog').style.display = 'none'; });
  await page.locator('postvakt-layer .badge').waitFor({ state: 'hidden' });
  await page.evaluate(() => { document.getElementById('dialog').style.display = ''; });
  await lexical(page, 'composer').click();
  await page.locator('postvakt-layer .badge.block').waitFor();
  await page.evaluate(() => document.getElementById('dialog').remove());
  await page.locator('postvakt-layer .badge').waitFor({ state: 'hidden' });
  assert.equal(await page.locator('postvakt-layer .panel').isHidden(), true);
  assert.equal(await page.locator('postvakt-layer .u').count(), 0);
  assert.deepEqual(problems, []);
  await page.close();
});

test('ProseMirror in an iframe: paste, select and delete, the editor’s own undo and redo, and the form submit are followed', async () => {
  const { page, problems } = await open('prosemirror-frame.html');
  await page.frameLocator('#frame').locator('.ProseMirror').waitFor();
  const f = page.frames().find((x) => x.url().endsWith('/prosemirror.html'));
  assert.ok(f);
  await page.frameLocator('#frame').locator('.ProseMirror').click();
  await f.evaluate((t) => navigator.clipboard.writeText(t), `Ring Ivar på 912 34 567 om nøklene. ${OWN}`);
  await page.keyboard.press('Control+V');
  await lastCheck(f, (c) => c.rules.includes('pii.phone'));
  // Select all and delete, undo (the phone number is back), redo.
  await f.evaluate(() => window['pmSelectAll']());
  await page.keyboard.press('Backspace');
  await lastCheck(f, (c) => c.length === 0);
  await f.evaluate(() => window['pmUndo']());
  await lastCheck(f, (c) => c.rules.includes('pii.phone'));
  await f.evaluate(() => window['pmRedo']());
  await lastCheck(f, (c) => c.length === 0);
  await page.frameLocator('#frame').locator('.ProseMirror').click();
  await page.keyboard.type(`Fødselsnummer ${FNR}.`);
  await lastCheck(f, hasFnr);
  // The link acting as a button, and the icon-only submit button of the
  // composer's form (found by structure: it has no label).
  for (const sel of ['#link', '#send']) {
    await page.frameLocator('#frame').locator(sel).click();
    await page.frameLocator('#frame').locator('postvakt-layer .dialog.blocked').waitFor();
    await page.frameLocator('#frame').locator('postvakt-layer .dialog.blocked button').click();
    await page.frameLocator('#frame').locator('postvakt-layer .dialog').waitFor({ state: 'detached' });
    assert.equal(await published(f), 0, `published through ${sel}`);
  }
  // The page's own script submitting the form (as an Enter handler would).
  await f.evaluate(() => /** @type {HTMLFormElement} */ (document.getElementById('form')).requestSubmit());
  await page.frameLocator('#frame').locator('postvakt-layer .dialog.blocked').waitFor();
  await page.frameLocator('#frame').locator('postvakt-layer .dialog.blocked button').click();
  assert.equal(await published(f), 0, 'published through requestSubmit');
  // A clean text goes through the form at once.
  await f.evaluate(() => window['pmSelectAll']());
  await page.keyboard.type(`Biblioteket har sommeråpent fra 22. juni. ${OWN}`);
  await lastCheck(f, (c) => c.verdict === 'ok');
  await page.frameLocator('#frame').locator('#send').click();
  await f.waitForFunction(() => window['__published'].length === 1);
  assert.deepEqual(problems, []);
  await page.close();
});

test('Quill: cut, paste, undo and Delete are followed, and «Post now» is guarded', async () => {
  const { page, problems } = await open('quill.html');
  await page.click('.ql-editor');
  await paste(page, `Kontonummer 1234.56.78903 til innsamlingen. ${OWN}`);
  await lastCheck(page, (c) => c.rules.includes('pii.bank_account'));
  await page.evaluate(() => window['quillCutoff']());
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Control+X');
  await lastCheck(page, (c) => c.length === 0);
  // Undo by Quill's history (Playwright's Ctrl+Z did not reach Quill's
  // binding here; the change is the editor's own either way).
  await page.evaluate(() => window['quillUndo']());
  await lastCheck(page, (c) => c.rules.includes('pii.bank_account'));
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await lastCheck(page, (c) => c.length === 0);
  await paste(page, `Fødselsnummer ${FNR}. ${OWN}`);
  await lastCheck(page, hasFnr);
  await page.click('#post');
  await page.locator('postvakt-layer .dialog.blocked').waitFor();
  assert.equal(await published(page), 0);
  assert.deepEqual(problems, []);
  await page.close();
});

test('Draft.js with React in an iframe: Backspace and paste are followed, and Enter in the reply box is held', async () => {
  const { page, problems } = await open('draft-frame.html');
  const frame = page.frameLocator('#frame');
  await frame.locator('#post [contenteditable]').waitFor();
  const f = page.frames().find((x) => x.url().endsWith('/draft.html'));
  assert.ok(f);
  await frame.locator('#post [contenteditable]').click();
  await page.keyboard.type(`Fødselsnummer ${FNR}`);
  await lastCheck(f, hasFnr);
  // Draft.js handles Backspace itself: no input event reaches the page.
  await page.keyboard.press('Backspace');
  await page.keyboard.press('Backspace');
  await lastCheck(f, noFnr);
  await page.keyboard.type('10');
  await lastCheck(f, hasFnr);
  await frame.locator('[data-testid=tweetButtonInline]').click();
  await frame.locator('postvakt-layer .dialog.blocked').waitFor();
  await frame.locator('postvakt-layer .dialog.blocked button').click();
  assert.equal(await published(f), 0);
  // The reply box: pasted, then Enter.
  await frame.locator('#reply [contenteditable]').click();
  await f.evaluate((t) => navigator.clipboard.writeText(t), `Hei! Fødselsnummeret ditt ${FNR} er registrert.`);
  await page.keyboard.press('Control+V');
  await lastCheck(f, hasFnr);
  await page.keyboard.press('Enter');
  await frame.locator('postvakt-layer .dialog.blocked').waitFor();
  await frame.locator('postvakt-layer .dialog.blocked button').click();
  assert.equal(await published(f), 0, 'the reply was sent');
  assert.deepEqual(problems, []);
  await page.close();
});
