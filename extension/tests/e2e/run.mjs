// @ts-check
// End-to-end tests of the extension in Debian's Chromium (playwright-core,
// headless), on local pages that imitate the composers of Facebook
// (Lexical: contenteditable with nested spans), LinkedIn (Quill), X
// (Draft.js) and an organisation's CMS (a textarea inside an open shadow
// root). Run by `make test-e2e`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { root, startServer, launch, openPage, axeViolations } from './harness.mjs';

const FNR = '128388 10010'; // a synthetic test number (month + 80), valid check digits
const OWN = 'https://www.eksempel.kommune.no/aktuelt';
const shots = path.join(root, 'test-results');

/** @type {{server: import('node:http').Server, base: string}} */
let srv;
/** @type {Awaited<ReturnType<typeof launch>>} */
let br;

before(async () => {
  await mkdir(shots, { recursive: true });
  srv = await startServer();
  br = await launch();
});
after(async () => {
  await br?.close();
  srv?.server.close();
});

// How to reach each page's composer and publish button.
// `caret` is the node inside the editor where the caret goes, as the real
// editors put it (Lexical's text span, Draft.js's data-text span).
const PAGES = [
  { name: 'facebook', file: 'facebook.html', composer: '#composer', caret: '#composer span[data-lexical-text]', publish: '#publish' },
  { name: 'linkedin', file: 'linkedin.html', composer: '.ql-editor', caret: '.ql-editor p', publish: '.share-actions__primary-action' },
  { name: 'x', file: 'x.html', composer: '[data-testid=tweetTextarea_0]', caret: '[data-testid=tweetTextarea_0] span[data-text]', publish: '[data-testid=tweetButton]' },
  { name: 'textarea in shadow root', file: 'textarea.html', composer: 'cms-composer textarea', caret: '', publish: 'cms-composer button' },
];

async function open(p) {
  const { page, problems } = await openPage(br.ctx, `${srv.base}/${p.file}`);
  await page.click(p.composer);
  if (p.caret) {
    await page.evaluate((sel) => {
      const el = document.querySelector(sel);
      const r = document.createRange();
      r.selectNodeContents(el);
      r.collapse(false);
      const s = getSelection();
      s.removeAllRanges();
      s.addRange(r);
    }, p.caret);
  }
  return { page, problems };
}

const published = (page) => page.evaluate(() => window['__published'].length);

for (const p of PAGES) {
  test(`${p.name}: a fødselsnummer shows a finding and publishing is blocked`, async () => {
    const { page, problems } = await open(p);
    await page.keyboard.type(`Hei! Vi har registrert deg med fødselsnummer ${FNR}. ${OWN}`);
    const badge = page.locator('postvakt-layer .badge');
    await badge.waitFor({ state: 'visible' });
    await page.locator('postvakt-layer .panel .f[data-rule="pii.national_id"]').waitFor();
    assert.match(await page.locator('postvakt-layer .panel').innerText(), /fødselsnummer/i);
    assert.match(await badge.getAttribute('class') || '', /block/);
    if (p.name === 'facebook') {
      await page.locator('postvakt-layer .u.block').first().waitFor();
      await page.screenshot({ path: path.join(shots, 'panel.png') });
      assert.deepEqual(await axeViolations(page, { include: [['postvakt-layer']] }), []);
    }
    if (p.name.startsWith('textarea')) {
      // A textarea is measured on a hidden copy: the underline must sit on the number.
      const u = await page.locator('postvakt-layer .u.block').first().boundingBox();
      const ta = await page.locator(p.composer).boundingBox();
      assert.ok(u && ta && u.x > ta.x && u.x + u.width < ta.x + ta.width && u.y > ta.y && u.y < ta.y + ta.height, `underline ${JSON.stringify(u)} outside ${JSON.stringify(ta)}`);
      await page.screenshot({ path: path.join(shots, 'panel-textarea.png') });
    }
    // The caret stays in the editor: typing goes on where it was.
    await page.keyboard.type(' Takk!');
    assert.match(await page.evaluate(() => document.activeElement?.tagName || ''), /DIV|TEXTAREA|CMS-COMPOSER/);
    await page.click(p.publish);
    await page.locator('postvakt-layer .dialog.blocked').waitFor();
    assert.equal(await published(page), 0, 'the page\'s own publish handler ran');
    await page.locator('postvakt-layer .dialog.blocked button').click();
    assert.equal(await published(page), 0);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test(`${p.name}: a clean post with an own-site link publishes on the first click`, async () => {
    const { page, problems } = await open(p);
    await page.keyboard.type(`Biblioteket har sommeråpent fra 22. juni. Se alle åpningstider: ${OWN}`);
    await page.click(p.publish);
    await page.waitForFunction(() => window['__published'].length === 1);
    assert.equal(await page.locator('postvakt-layer .dialog').count(), 0);
    assert.match(await page.evaluate(() => window['__published'][0]), /sommeråpent/);
    assert.deepEqual(problems, []);
    await page.close();
  });
}

test('a political evaluation is explained in the panel, and the explanation stays out of the audit entry', async () => {
  const { page, problems } = await open(PAGES[0]);
  await page.keyboard.type(`Gratulerer til Høyre med et velfortjent og sterkt valg! ${OWN}`);
  const item = page.locator('postvakt-layer .panel .f[data-rule="politics.opinion"]');
  await item.waitFor();
  const why = await item.locator('.w').innerText();
  assert.match(why, /^Derfor: Politisk sak eller aktør: «Høyre» \(parti\) · Vurdering: «[^»]+» \(ros\)/);
  await page.screenshot({ path: path.join(shots, 'panel-why.png') });
  await page.click(PAGES[0].publish);
  await page.locator('postvakt-layer .dialog').waitFor();
  assert.match(await page.locator('postvakt-layer .dialog').innerText(), /Derfor: Politisk sak/);
  await page.locator('postvakt-layer .dialog button', { hasText: /Avbryt/ }).click();
  const entry = (await auditQueue()).find((e) => e.findings?.some((f) => f.rule === 'politics.opinion'));
  assert.ok(entry, 'no audit entry with the finding');
  assert.doesNotMatch(JSON.stringify(entry), /Høyre|velfortjent|Derfor/);
  assert.deepEqual(problems, []);
  await page.close();
});

/** Reads the local audit queue through an extension page. */
async function auditQueue() {
  const page = await br.ctx.newPage();
  await page.goto(`chrome-extension://${br.extensionId}/pages/popup.html`);
  const r = await page.evaluate(() => chrome.runtime.sendMessage({ type: 'ui-queue' }));
  await page.close();
  return r.entries;
}

test('a warning published with an override reason leaves an audit entry with the reason and no personal data', async () => {
  const p = PAGES[0];
  const { page, problems } = await open(p);
  const phone = '912 34 567';
  await page.keyboard.type(`Ring vaktmester Ivar på ${phone} om nøkler. ${OWN}`);
  await page.locator('postvakt-layer .panel .f[data-rule="pii.phone"]').waitFor();
  const before = (await auditQueue()).length;
  await page.click(p.publish);
  const dlg = page.locator('postvakt-layer .dialog.warn');
  await dlg.waitFor();
  assert.equal(await published(page), 0);
  assert.deepEqual(await axeViolations(page, { include: [['postvakt-layer']] }), []);
  const reason = 'Tjenestetelefonen til vaktmesteren, avklart med leder';
  await dlg.locator('textarea[name=reason]').fill(reason);
  await dlg.locator('button.primary').click();
  await page.waitForFunction(() => window['__published'].length === 1);
  const entries = await auditQueue();
  assert.equal(entries.length, before + 1);
  const e = entries[entries.length - 1];
  assert.equal(e.action, 'overridden');
  assert.equal(e.reason, reason);
  assert.equal(e.platform, 'facebook');
  assert.deepEqual(e.findings.map((f) => f.rule), ['pii.phone']);
  assert.equal(e.findings[0].excerpt, '91* ** 567');
  assert.match(e.text_sha256, /^[0-9a-f]{64}$/);
  const raw = JSON.stringify(e);
  assert.ok(!raw.includes(phone) && !raw.includes('vaktmester Ivar'), `personal data in ${raw}`);
  assert.deepEqual(problems, []);
  await page.close();
});

/** Waits until the audit queue holds more than n entries, and returns it. */
async function queueLongerThan(n) {
  for (const deadline = Date.now() + 10000; Date.now() < deadline;) {
    const entries = await auditQueue();
    if (entries.length > n) return entries;
  }
  throw new Error(`audit queue did not grow past ${n} entries`);
}

test('cancelling a warning does not publish and is audited', async () => {
  const p = PAGES[1];
  const { page } = await open(p);
  const before = (await auditQueue()).length;
  await page.keyboard.type('Skriv til kari.nordmann@gmail.com for å melde deg på. ' + OWN);
  await page.click(p.publish);
  const dlg = page.locator('postvakt-layer .dialog.warn');
  await dlg.waitFor();
  assert.equal(await dlg.locator('button.primary').isDisabled(), true, 'publish enabled without acknowledgement');
  await dlg.locator('button:not(.primary)').click();
  await dlg.waitFor({ state: 'detached' });
  assert.equal(await published(page), 0);
  const entries = await queueLongerThan(before);
  assert.equal(entries[entries.length - 1].action, 'cancelled');
  await page.close();
});

test('Ctrl+Enter on X is guarded like the button', async () => {
  const p = PAGES[2];
  const { page } = await open(p);
  await page.keyboard.type(`Kortet 4326 6166 3049 4039 er funnet. ${OWN}`);
  await page.keyboard.press('Control+Enter');
  await page.locator('postvakt-layer .dialog.blocked').waitFor();
  assert.equal(await published(page), 0);
  await page.close();
});

test('a pasted photo is declared, goes with its post, and not with the next one', async () => {
  const p = PAGES[2]; // X: no file input; the page empties its editor after posting.
  const { page, problems } = await open(p);
  await page.keyboard.type(`Ny lekeplass på Torget! ${OWN}`);
  // A paste of an image file, as the clipboard delivers it.
  await page.evaluate(async (url) => {
    const blob = await (await fetch(url)).blob();
    const dt = new DataTransfer();
    dt.items.add(new File([blob], 'lekeplass.jpg', { type: 'image/jpeg' }));
    document.querySelector('[data-testid=tweetTextarea_0]')
      .dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true, composed: true }));
  }, `${srv.base}/fixtures/face.jpg`);
  const dlg = page.locator('postvakt-layer .dialog.consent');
  await dlg.locator('.faces').waitFor();
  await dlg.locator('input[name=persons][value=adults]').check();
  await dlg.locator('input[name=consent][value=given]').check();
  await dlg.locator('button.primary').click(); // no alt text: a warning
  await page.locator('postvakt-layer .panel .f[data-rule="image.alt_text"]').waitFor();
  await page.click(p.publish);
  const warn = page.locator('postvakt-layer .dialog.warn');
  await warn.locator('input[name=ack]').check();
  await warn.locator('button.primary').click();
  await page.waitForFunction(() => window['__published'].length === 1);
  // The next post in the same (emptied) composer has no photo.
  await page.evaluate(() => {
    const r = document.createRange();
    r.selectNodeContents(document.querySelector('[data-testid=tweetTextarea_0] span[data-text]'));
    getSelection().removeAllRanges();
    getSelection().addRange(r);
  });
  await page.keyboard.type(`Velkommen til åpningen! ${OWN}`);
  await page.locator('postvakt-layer .badge.ok').waitFor();
  await page.click(p.publish);
  await page.waitForFunction(() => window['__published'].length === 2);
  assert.match(await page.evaluate(() => window['__published'][1]), /^Velkommen til åpningen!/);
  assert.deepEqual(problems, []);
  await page.close();
});

test('an attached photo of a face pre-fills «persons» and warns on «none»', async () => {
  const p = PAGES[0];
  const { page, problems } = await open(p);
  await page.keyboard.type(`Sommerfest i parken! ${OWN}`);
  await page.setInputFiles('#photo', path.join((await import('./harness.mjs')).pigoDir(), 'testdata', 'sample.jpg'));
  const dlg = page.locator('postvakt-layer .dialog.consent');
  await dlg.waitFor();
  await dlg.locator('.faces').waitFor();
  assert.match(await dlg.locator('.faces').innerText(), /fant \d+ ansikt/);
  assert.equal(await dlg.locator('input[name=persons][value=adults]').isChecked(), true);
  await page.screenshot({ path: path.join(shots, 'consent.png') });
  assert.deepEqual(await axeViolations(page, { include: [['postvakt-layer']] }), []);
  await dlg.locator('input[name=persons][value=none]').check();
  await dlg.locator('.facewarn').waitFor({ state: 'visible' });
  await dlg.locator('input[name=persons][value=minors]').check();
  await dlg.locator('input[name=consent][value=given]').check();
  await dlg.locator('input[name=alt]').fill('Barn som leker i parken');
  await dlg.locator('button.primary').click();
  // Children without written consent from guardians: the post is blocked.
  await page.locator('postvakt-layer .panel .f[data-rule="image.consent_minor"]').waitFor();
  await page.click(p.publish);
  await page.locator('postvakt-layer .dialog.blocked').waitFor();
  assert.equal(await published(page), 0);
  assert.deepEqual(problems, []);
  await page.close();
});

test('a dropped photo that is not declared blocks publishing', async () => {
  const p = PAGES[1];
  const { page, problems } = await open(p);
  await page.keyboard.type(`Bilder fra sommerfesten. ${OWN}`);
  await page.evaluate(async (url) => {
    const blob = await (await fetch(url)).blob();
    const dt = new DataTransfer();
    dt.items.add(new File([blob], 'sommerfest.jpg', { type: 'image/jpeg' }));
    document.querySelector('.ql-editor')
      .dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true, composed: true }));
  }, `${srv.base}/fixtures/face.jpg`);
  const dlg = page.locator('postvakt-layer .dialog.consent');
  await dlg.locator('.faces').waitFor();
  await dlg.locator('button:not(.primary)').click(); // «Hopp over»: persons stay unknown
  await page.locator('postvakt-layer .panel .f[data-rule="image.undeclared"]').waitFor();
  await page.click(p.publish);
  await page.locator('postvakt-layer .dialog.blocked').waitFor();
  assert.equal(await published(page), 0);
  assert.deepEqual(problems, []);
  await page.close();
});

test('the popup turns Postvakt off and on for the site without a reload', async () => {
  const p = PAGES[3];
  const { page, problems } = await open(p);
  await page.keyboard.type(`Fødselsnummer ${FNR}. ${OWN}`);
  const badge = page.locator('postvakt-layer .badge.block');
  await badge.waitFor();
  const toggle = async (want) => {
    const popup = await br.ctx.newPage();
    await popup.goto(`chrome-extension://${br.extensionId}/pages/popup.html?host=${new URL(srv.base).host}`);
    await popup.locator('#toggle', { hasText: want ? 'Slå på' : 'Slå av' }).click();
    await popup.locator('#toggle', { hasText: want ? 'Slå av' : 'Slå på' }).waitFor();
    await popup.close();
  };
  await toggle(false);
  await badge.waitFor({ state: 'hidden' });
  await page.click(p.publish);
  await page.waitForFunction(() => window['__published'].length === 1);
  assert.equal(await page.locator('postvakt-layer .dialog').count(), 0);
  await toggle(true);
  await badge.waitFor();
  await page.click(p.publish);
  await page.locator('postvakt-layer .dialog.blocked').waitFor();
  assert.equal(await published(page), 1);
  assert.deepEqual(problems, []);
  await page.close();
});

test('the worker stopped and restarted still checks', async () => {
  const p = PAGES[3];
  const { page } = await open(p);
  await page.keyboard.type(`Kontonummer 1234.56.78903 til innsamlingen. ${OWN}`);
  await page.locator('postvakt-layer .panel .f[data-rule="pii.bank_account"]').waitFor();
  // Watch the worker's running status through CDP: Playwright reports no
  // event when a service worker is stopped.
  const cdp = await br.ctx.newCDPSession(page);
  const statuses = [];
  const waitStatus = (want) => new Promise((resolve) => {
    const onUpdate = (ev) => {
      for (const v of ev.versions) {
        if (v.scriptURL.includes(br.extensionId)) statuses.push(v.runningStatus);
        if (v.scriptURL.includes(br.extensionId) && v.runningStatus === want) {
          cdp.off('ServiceWorker.workerVersionUpdated', onUpdate);
          resolve(undefined);
        }
      }
    };
    cdp.on('ServiceWorker.workerVersionUpdated', onUpdate);
  });
  await cdp.send('ServiceWorker.enable');
  const stopped = waitStatus('stopped');
  await cdp.send('ServiceWorker.stopAllWorkers');
  await stopped;
  const running = waitStatus('running');
  await page.keyboard.type(` Ring ${'+47 912 34 567'}.`);
  await running;
  await page.locator('postvakt-layer .panel .f[data-rule="pii.phone"]').waitFor();
  await page.locator('postvakt-layer .panel .f[data-rule="pii.bank_account"]').waitFor();
  assert.ok(statuses.includes('stopped') && statuses.lastIndexOf('running') > statuses.indexOf('stopped'), `statuses ${statuses}`);
  await page.close();
});

test('a composer in a same-origin iframe is checked and guarded there', async () => {
  const { page, problems } = await openPage(br.ctx, `${srv.base}/iframe.html`);
  const frame = page.frameLocator('#frame');
  await frame.locator('#t').click();
  await page.keyboard.type(`Hei, ring meg på 912 34 567! ${OWN}`);
  // The frame is too narrow for the panel beside the composer: only the
  // badge shows, so the page's button stays clickable; the badge opens it.
  const badge = frame.locator('postvakt-layer .badge');
  await badge.waitFor();
  await frame.locator('postvakt-layer .badge.warn').waitFor();
  assert.equal(await frame.locator('postvakt-layer .panel').isHidden(), true);
  await badge.click();
  await frame.locator('postvakt-layer .panel .f[data-rule="pii.phone"]').waitFor();
  await badge.click();
  await frame.locator('#b').click();
  await frame.locator('postvakt-layer .dialog.warn').waitFor();
  const inner = page.frames().find((f) => f.url().endsWith('/plain.html'));
  assert.equal(await inner?.evaluate(() => window['__published'].length), 0);
  assert.deepEqual(problems, []);
  await page.close();
});

test('a bundle kept in chrome.storage is what a restarted worker checks with', async () => {
  // The organisation's own bundle (as rule sync will store it): the
  // built-in rules with one more own domain.
  const bundle = JSON.parse(await readFile(path.join(root, 'shared', 'rules', 'builtin.json'), 'utf8'));
  bundle.version = 'e2e-own-domain';
  bundle.org.own_domains.push('www.annen-kommune.test');
  const ext = await br.ctx.newPage();
  await ext.goto(`chrome-extension://${br.extensionId}/pages/popup.html`);
  await ext.evaluate((b) => chrome.storage.local.set({ bundle: b }), JSON.stringify(bundle));
  const cdp = await br.ctx.newCDPSession(ext);
  const stopped = new Promise((resolve) => {
    cdp.on('ServiceWorker.workerVersionUpdated', (ev) => {
      if (ev.versions.some((v) => v.scriptURL.includes(br.extensionId) && v.runningStatus === 'stopped')) resolve(undefined);
    });
  });
  await cdp.send('ServiceWorker.enable');
  await cdp.send('ServiceWorker.stopAllWorkers');
  await stopped;
  try {
    await ext.reload();
    await ext.locator('#version', { hasText: 'e2e-own-domain' }).waitFor();
    const p = PAGES[3];
    const { page, problems } = await open(p);
    await page.keyboard.type('Les mer om tilbudet på https://www.annen-kommune.test/tilbud');
    await page.locator('postvakt-layer .badge.ok').waitFor();
    await page.click(p.publish);
    await page.waitForFunction(() => window['__published'].length === 1);
    assert.deepEqual(problems, []);
    await page.close();
  } finally {
    await ext.evaluate(() => chrome.storage.local.remove('bundle'));
    await cdp.send('ServiceWorker.stopAllWorkers');
    await ext.close();
  }
});
