// @ts-check
// Browser benchmark (make bench-browser): time from a keystroke to the
// findings shown by the extension, in Debian's Chromium, for drafts of 300,
// 3,000 and 63,206 characters (the fixtures of shared/engine), median and
// p95 over repeated keystrokes; and the start time of the Go module in the
// service worker after it was stopped.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { root, startServer, launch, openPage } from './harness.mjs';

const RUNS = Number(process.env.RUNS || 25);
const q = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * (s.length - 1) + 0.5))];
};

const srv = await startServer();
const br = await launch();
const { page } = await openPage(br.ctx, `${srv.base}/bench.html`);
const rows = [];
for (const name of ['short', 'typical', 'long']) {
  const text = readFileSync(path.join(root, 'shared', 'engine', 'testdata', 'bench', `${name}.txt`), 'utf8');
  // Put the draft in place (without typing 63,206 keystrokes), let the
  // first check finish, then time single keystrokes at the end.
  await page.evaluate((t) => {
    const ta = /** @type {HTMLTextAreaElement} */ (document.getElementById('composer'));
    ta.value = t.slice(0, -1);
    ta.focus();
    ta.setSelectionRange(ta.value.length, ta.value.length);
    ta.dispatchEvent(new InputEvent('input', { bubbles: true }));
  }, text);
  await page.waitForFunction((n) => window['__checks'].length >= n, 1);
  for (let i = 0; i < 3; i++) {
    const n = await page.evaluate(() => window['__checks'].length);
    await page.keyboard.type('x');
    await page.waitForFunction((k) => window['__checks'].length > k, n);
  }
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const before = await page.evaluate(() => window['__checks'].length);
    await page.keyboard.type(i % 2 ? 'a' : ' ');
    await page.waitForFunction((n) => window['__checks'].length > n, before);
    times.push(await page.evaluate((n) => window['__checks'][n].t - window['__keys'][window['__keys'].length - 1], before));
  }
  rows.push({ name, chars: [...text].length, median: q(times, 0.5), p95: q(times, 0.95) });
}

// Module start: stop the worker, then time the first check that restarts it.
const cdp = await br.ctx.newCDPSession(page);
await cdp.send('ServiceWorker.enable');
const starts = [];
for (let i = 0; i < 5; i++) {
  await cdp.send('ServiceWorker.stopAllWorkers');
  await new Promise((r) => setTimeout(r, 300));
  const ext = await br.ctx.newPage();
  await ext.goto(`chrome-extension://${br.extensionId}/pages/popup.html`);
  const s = await ext.evaluate(() => chrome.runtime.sendMessage({ type: 'ui-status' }));
  starts.push(s.startMs);
  await ext.close();
}

console.log(`keystroke to findings shown, ${RUNS} keystrokes each:`);
console.log('| draft | characters | median | p95 |');
console.log('|---|---|---|---|');
for (const r of rows) {
  console.log(`| ${r.name} | ${r.chars} | ${r.median.toFixed(1)} ms | ${r.p95.toFixed(1)} ms |`);
}
console.log(`module start in the service worker (fetch, compile, instantiate, go.run, cascade, bundle): median ${q(starts, 0.5)} ms, max ${Math.max(...starts)} ms over ${starts.length} restarts`);
await br.close();
srv.server.close();
