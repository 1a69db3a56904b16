// @ts-check
// The extension and the real server together (issue 5): `postvakt serve`
// on SQLite and port 0, Debian's Chromium with the extension loaded, and
// between them a small proxy in this process that forwards everything and
// can stand in for a broken network or server (garbage, 500, a dropped
// connection). The extension is pointed at the proxy, so the server can be
// stopped and started again on another port without the extension
// noticing more than a real restart. Run by `make test-e2e`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdir, copyFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { root, startServer, launch, openPage, axeViolations } from './harness.mjs';
import { Postvakt, PASSWORD } from './postvakt.mjs';

const OWN = 'https://www.eksempel.kommune.no/aktuelt';
const shots = path.join(root, 'test-results');

/** @type {Postvakt} */ let pv;
/** @type {{server: http.Server, base: string}} */ let pages;
/** @type {Awaited<ReturnType<typeof launch>>} */ let br;

// ---- the server -----------------------------------------------------------

async function startPostvakt() {
  upstream = await pv.start();
}

async function stopPostvakt() {
  upstream = '';
  await pv.stop();
}

/**
 * A request straight to the server (not through the proxy).
 * @param {string} method
 * @param {string} p
 * @param {string} [token]
 * @param {any} [body]
 */
const api = (method, p, token, body) => pv.api(method, p, token, body);
/** @param {string} name */
const token = (name) => pv.token(name);

// ---- the proxy ------------------------------------------------------------

let upstream = '';
/** @type {'pass'|'garbage'|'500'|'badmodel'} */
let mode = 'pass';
/** @type {http.Server} */ let proxy;
let proxyURL = '';

function startProxy() {
  proxy = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/api/v1/bundle' && mode === 'badmodel' && upstream) {
      // The server's bundle, well-formed JSON, with its learned model cut
      // short: as a corrupt upload or a damaged cache would look.
      const u = new URL(upstream);
      const headers = { ...req.headers };
      delete headers['if-none-match'];
      http.get({ host: u.hostname, port: u.port, path: req.url, headers }, (r) => {
        let body = '';
        r.setEncoding('utf8');
        r.on('data', (c) => { body += c; });
        r.on('end', () => {
          const b = JSON.parse(body);
          b.version = 'kommune-badmodel';
          b.models.meaning.weights = b.models.meaning.weights.slice(0, 400);
          res.writeHead(200, { 'content-type': 'application/json', etag: '"badmodel"', 'x-postvakt-version': b.version, 'access-control-allow-origin': req.headers.origin || '*', 'access-control-expose-headers': 'ETag, X-Postvakt-Version' }).end(JSON.stringify(b));
        });
      }).on('error', () => req.socket.destroy());
      return;
    }
    if (req.method === 'GET' && req.url === '/api/v1/bundle' && mode !== 'pass') {
      if (mode === '500') res.writeHead(500, { 'content-type': 'text/plain', 'access-control-allow-origin': req.headers.origin || '*' }).end('Internal Server Error');
      else res.writeHead(200, { 'content-type': 'application/json', etag: '"garbage"', 'access-control-allow-origin': req.headers.origin || '*', 'access-control-expose-headers': 'ETag' }).end('{"version": "broken", "rules": [{"id": ');
      return;
    }
    if (!upstream) {
      req.socket.destroy(); // as a stopped server looks: the connection fails
      return;
    }
    const u = new URL(upstream);
    const up = http.request({ host: u.hostname, port: u.port, method: req.method, path: req.url, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode || 502, r.headers);
      r.pipe(res);
      r.on('error', () => res.destroy());
      r.on('aborted', () => res.destroy());
    });
    up.on('error', () => req.socket.destroy());
    req.pipe(up);
  });
  return new Promise((r) => proxy.listen(0, '127.0.0.1', () => {
    proxyURL = `http://127.0.0.1:${/** @type {any} */ (proxy.address()).port}`;
    r(undefined);
  }));
}

// ---- the extension --------------------------------------------------------

/** Opens the popup as a tab; ?host= stands for the active tab's site. */
async function popup() {
  const page = await br.ctx.newPage();
  await page.goto(`chrome-extension://${br.extensionId}/pages/popup.html?host=127.0.0.1`);
  await page.locator('#version').filter({ hasNotText: '–' }).waitFor();
  return page;
}

/** @returns {Promise<any>} the worker's status, as the popup reads it */
async function status() {
  const page = await br.ctx.newPage();
  await page.goto(`chrome-extension://${br.extensionId}/pages/options.html`);
  const s = await page.evaluate(() => chrome.runtime.sendMessage({ type: 'ui-status' }));
  await page.close();
  return s;
}

async function stopWorker() {
  const page = await br.ctx.newPage();
  const cdp = await br.ctx.newCDPSession(page);
  await cdp.send('ServiceWorker.enable');
  await cdp.send('ServiceWorker.stopAllWorkers');
  await page.close();
}

/**
 * Polls fn until it returns a truthy value.
 * @template T
 * @param {() => Promise<T>} fn
 * @param {number} ms
 * @param {string} what
 * @returns {Promise<T>}
 */
async function until(fn, ms, what) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => null);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

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

/**
 * Publishes n clean posts on the plain page, each on the first click.
 * @param {number} n
 * @param {string} tag tells these posts from others
 */
async function publishDrafts(n, tag) {
  const { page, problems } = await openPage(br.ctx, `${pages.base}/plain.html`);
  for (let i = 1; i <= n; i++) {
    await page.fill('#t', `Biblioteket holder åpent i romjulen (${tag} ${i}). Se åpningstidene: ${OWN}`);
    await page.click('#b');
    await page.waitForFunction((k) => window['__published'].length === k, i);
  }
  assert.deepEqual(problems, []);
  await page.close();
}

/** Compliance's view of a user's published entries. */
async function published(user = 'kari') {
  const comp = await token('comp');
  const r = await api('GET', `/api/v1/audit?user=${user}&action=published&limit=1000`, comp);
  assert.equal(r.status, 200, r.text);
  return r.json.entries;
}
const kariPublished = () => published('kari');

/**
 * Signs in from the popup.
 * @param {string} user
 */
async function signIn(user) {
  const page = await popup();
  await page.fill('#username', user);
  await page.fill('#password', PASSWORD);
  await page.click('#login-button');
  await page.locator('#who').filter({ hasText: `Logget inn som ${user}` }).waitFor();
  return page;
}

async function verified() {
  const r = await api('GET', '/api/v1/audit/verify', await token('comp'));
  assert.equal(r.status, 200, r.text);
  return r.json;
}

before(async () => {
  await mkdir(shots, { recursive: true });
  pv = await Postvakt.create([['kari', 'staff'], ['ola', 'staff'], ['adm', 'admin'], ['comp', 'compliance']]);
  await startPostvakt();
  await startProxy();
  pages = await startServer();
  br = await launch();
  // The options page, as a writer (or IT by policy) sets the server.
  const { page } = await openPage(br.ctx, `chrome-extension://${br.extensionId}/pages/options.html`);
  await page.locator('body[data-ready="1"]').waitFor();
  await page.fill('#serverUrl', proxyURL);
  await page.click('#save');
  await page.locator('#saved').filter({ hasText: /\S/ }).waitFor();
  await page.close();
});

after(async () => {
  await br?.close();
  await pv?.close();
  proxy?.close();
  pages?.server.close();
});

test('sign in from the popup: a wrong password is refused, then the user sees who and where', async () => {
  const page = await popup();
  assert.match(await page.locator('#who').innerText(), /Ikke logget inn/);
  await page.fill('#username', 'kari');
  await page.fill('#password', 'feil-passord');
  await page.click('#login-button');
  await page.locator('#login-error').filter({ hasText: 'Feil brukernavn eller passord' }).waitFor();
  assert.deepEqual(await axeViolations(page), []);
  await page.fill('#password', PASSWORD);
  await page.click('#login-button');
  await page.locator('#who').filter({ hasText: `Logget inn som kari på ${proxyURL}` }).waitFor();
  assert.equal(await page.locator('#login').isHidden(), true);
  assert.notEqual(await page.locator('#sync').innerText(), 'aldri');
  assert.equal(await page.locator('#version').innerText(), 'builtin-1');
  await page.screenshot({ path: path.join(shots, 'popup-signed-in.png') });
  assert.deepEqual(await axeViolations(page), []);
  await page.close();
  // The offscreen document holds the event stream open.
  await until(async () => (await api('GET', '/metrics')).text.match(/^postvakt_sse_clients(?:\{[^}]*\})? 1$/m), 5000, 'one stream client on the server');
});

test('a rule the admin publishes reaches an open composer within 5 s, with the worker stopped and no reload', async () => {
  const { page, problems } = await composer(`Vi starter blåbærprosjektet i barnehagene nå. ${OWN}`);
  await page.waitForTimeout(300);
  assert.equal(await page.locator('postvakt-layer .f[data-rule="case.local_codeword"]').count(), 0);
  await stopWorker(); // the push must wake it

  const adm = await token('adm');
  const cur = await api('GET', '/api/v1/bundle', adm);
  const b = cur.json;
  b.version = 'kommune-2';
  b.rules.push({
    id: 'case.local_codeword', category: 'case', severity: 'warn', enabled: true, kind: 'phrase',
    message: { nb: 'Blåbærprosjektet er ikke offentlig ennå.', nn: 'Blåbærprosjektet er ikkje offentleg enno.', en: 'The blueberry project is not public yet.' },
    suggestion: { nb: 'Vent til prosjektet er kunngjort på nettsidene.', nn: 'Vent til prosjektet er kunngjort på nettsidene.', en: 'Wait until the project is announced on the website.' },
    source: 'Test: et lokalt kodeord', phrase: { words: ['blåbærprosjekt*'] },
  });
  const created = await api('POST', '/api/v1/admin/bundles', adm, b);
  assert.equal(created.status, 201, created.text);
  const t0 = Date.now();
  const pub = await api('POST', '/api/v1/admin/bundles/kommune-2/publish', adm, {});
  assert.equal(pub.status, 200, pub.text);
  await page.locator('postvakt-layer .f[data-rule="case.local_codeword"]').waitFor({ timeout: 5000, state: 'attached' });
  const ms = Date.now() - t0;
  console.log(`# published rule shown in the composer after ${ms} ms`);
  assert.ok(ms < 5000, `${ms} ms`);
  assert.equal((await status()).bundle, 'kommune-2');
  assert.deepEqual(problems, []);
  await page.close();
});

test('crisis mode on blocks a publish with the admin\'s message; off lets it through', async () => {
  const adm = await token('adm');
  const message = 'Krisemodus: all kommunikasjon går via kriseledelsen til klokken 18.';
  const { page, problems } = await composer(`Biblioteket har åpent som vanlig i dag. ${OWN}`);
  await page.waitForTimeout(300);
  let t0 = Date.now();
  const on = await api('PUT', '/api/v1/admin/crisis', adm, { active: true, message, team: ['adm'] });
  assert.equal(on.status, 200, on.text);
  await page.locator('postvakt-layer .f[data-rule="crisis.active"]').waitFor({ timeout: 5000, state: 'attached' });
  console.log(`# crisis on shown after ${Date.now() - t0} ms`);
  await page.click('#publish');
  const dialog = page.locator('postvakt-layer .dialog.blocked');
  await dialog.waitFor();
  assert.match(await dialog.innerText(), /kriseledelsen til klokken 18/);
  await page.screenshot({ path: path.join(shots, 'crisis-blocked.png') });
  assert.equal(await page.evaluate(() => window['__published'].length), 0, 'the page published during crisis mode');
  await dialog.locator('button').click();

  t0 = Date.now();
  const off = await api('PUT', '/api/v1/admin/crisis', adm, { active: false, message: '', team: [] });
  assert.equal(off.status, 200, off.text);
  await page.locator('postvakt-layer .f[data-rule="crisis.active"]').waitFor({ timeout: 5000, state: 'detached' });
  console.log(`# crisis off shown after ${Date.now() - t0} ms`);
  await page.click('#publish');
  await page.waitForFunction(() => window['__published'].length === 1);
  assert.deepEqual(problems, []);
  await page.close();
});

/**
 * Ten posts published while the server is down arrive exactly once after
 * it returns; between, maybe the browser is closed and reopened.
 * @param {string} tag
 * @param {boolean} reopen
 */
async function outage(tag, reopen) {
  await until(async () => (await status()).queue === 0, 15000, 'an empty queue before the outage');
  const before = (await kariPublished()).length;
  await stopPostvakt();
  await publishDrafts(10, tag);
  assert.equal((await status()).queue, 10);
  if (reopen) {
    await br.close({ keep: true });
    br = await launch({ ext: br.ext, profile: br.profile });
    assert.equal((await status()).queue, 10, 'the queue did not survive closing the browser');
  }
  await startPostvakt();
  const t0 = Date.now();
  await until(async () => (await status()).queue === 0, 30000, 'the queue to empty');
  console.log(`# ${tag}: queue sent ${Date.now() - t0} ms after the server returned`);
  const all = await kariPublished();
  assert.equal(all.length, before + 10);
  const ours = all.filter((e) => e.platform === 'other');
  assert.equal(new Set(ours.map((e) => e.id)).size, ours.length, 'an entry was stored twice');
  const v = await verified();
  assert.equal(v.ok, true, JSON.stringify(v.faults));
}

test('ten posts published while the server is stopped arrive exactly once after it restarts, and the log verifies', async () => {
  await outage('avbrudd', false);
});

test('the same when the browser is closed and reopened before the server returns', async () => {
  await outage('lukket nettleser', true);
});

test('an expired session asks the user to sign in again and loses no queued entry', async () => {
  // The server forgets the session (revoked, or past its 30 days) and the
  // access token is past its time.
  const sw = br.ctx.serviceWorkers()[0] || await br.ctx.waitForEvent('serviceworker');
  const auth = await sw.evaluate(async () => {
    const db = await new Promise((res, rej) => { const r = indexedDB.open('postvakt'); r.onsuccess = () => res(r.result); r.onerror = () => rej(r.error); });
    const get = (k) => new Promise((res) => { const r = db.transaction('meta').objectStore('meta').get(k); r.onsuccess = () => res(r.result); });
    const a = await get('auth');
    await new Promise((res) => { const tx = db.transaction('meta', 'readwrite'); tx.objectStore('meta').put({ ...a, accessExp: 0 }, 'auth'); tx.oncomplete = res; });
    return a;
  });
  assert.equal(auth.user, 'kari');
  assert.ok(!JSON.stringify(auth).includes(PASSWORD), 'the password was stored');
  const out = await api('POST', '/api/v1/auth/logout', '', { refresh_token: auth.refresh });
  assert.equal(out.status, 204, out.text);
  const before = (await kariPublished()).length;

  await publishDrafts(1, 'utløpt økt');
  const page = await popup();
  await page.locator('#problem').filter({ hasText: 'Økten er utløpt' }).waitFor();
  assert.equal(await page.locator('#queue').innerText(), '1');
  assert.equal(await page.locator('#username').inputValue(), 'kari');
  await page.screenshot({ path: path.join(shots, 'popup-expired.png') });
  assert.deepEqual(await axeViolations(page), []);
  assert.equal((await kariPublished()).length, before);

  await page.fill('#password', PASSWORD);
  await page.click('#login-button');
  await page.locator('#who').filter({ hasText: 'Logget inn som kari' }).waitFor();
  await until(async () => (await kariPublished()).length === before + 1, 10000, 'the queued entry to arrive');
  await page.close();
});

test('a server that answers garbage, 500 or a bundle with a corrupt model leaves the cached bundle in force', async () => {
  const page = await popup();
  assert.equal(await page.locator('#version').innerText(), 'kommune-2');
  for (const m of /** @type {const} */ (['garbage', '500', 'badmodel'])) {
    mode = m;
    try {
      await page.click('#sync-now');
      await page.locator('#problem').filter({ hasText: m === '500' ? 'Serveren svarte med en feil' : 'ble ikke tatt i bruk' }).waitFor();
      assert.equal(await page.locator('#version').innerText(), 'kommune-2');
      if (m === 'badmodel') {
        await page.locator('#problem').filter({ hasText: 'kommune-badmodel' }).waitFor();
        const { sync } = await page.evaluate(() => chrome.storage.local.get('sync'));
        assert.match(String(sync?.errorDetail), /models\.meaning/, 'the refusal names the broken model');
      }
    } finally {
      mode = 'pass';
    }
    if (m === 'garbage') await page.screenshot({ path: path.join(shots, 'popup-bundle-refused.png') });
  }
  await page.close();
  // The cached rules still check: the rule that came with kommune-2 fires.
  const { page: c } = await composer(`Blåbærprosjektet starter snart. ${OWN}`);
  await c.locator('postvakt-layer .f[data-rule="case.local_codeword"]').waitFor({ state: 'attached' });
  await c.close();
  // And after a restart of the worker, which reads the bundle from storage.
  await stopWorker();
  assert.equal((await status()).bundle, 'kommune-2');
});

test('entries are sent in the name of who wrote them, also when another user signs in on the same browser', async () => {
  // kari writes while the server is down, then signs out and ola signs in.
  await until(async () => (await status()).queue === 0, 15000, 'an empty queue');
  const kariBefore = (await published('kari')).length;
  await stopPostvakt();
  await publishDrafts(1, 'kari skrev');
  let page = await popup();
  await page.click('#logout');
  await page.locator('#login').waitFor();
  await page.close();
  await startPostvakt();
  page = await signIn('ola');
  await page.locator('#problem').filter({ hasText: 'skrevet av en annen bruker' }).waitFor();
  await publishDrafts(1, 'ola skrev');
  await until(async () => (await published('ola')).length === 1, 10000, "ola's entry");
  assert.equal((await published('kari')).length, kariBefore, "kari's entry was sent under ola's token");
  assert.equal((await status()).queue, 1);
  await page.click('#logout');
  await page.locator('#login').waitFor();
  await page.close();
  // kari signs in again: her entry goes, in her name.
  (await signIn('kari')).close();
  await until(async () => (await published('kari')).length === kariBefore + 1, 10000, "kari's entry");
  assert.equal((await published('ola')).length, 1);
  assert.equal((await status()).queue, 0);
});

test('a log rolled back behind the extension is shown in the popup and reported to compliance', async () => {
  // kari is signed in (the test before). The database is copied while the
  // server is stopped, entries are sent and checked, and then the copy is
  // put back: the server's log no longer extends the checkpoint seen.
  await until(async () => (await status()).queue === 0, 15000, 'an empty queue');
  await stopPostvakt();
  const db = path.join(pv.data, 'postvakt.db');
  await rm(`${db}.backup`, { force: true });
  await copyFile(db, `${db}.backup`);
  await startPostvakt();
  await publishDrafts(2, 'før tilbakerulling');
  const seen = await until(async () => { const s = await status(); return s.queue === 0 && s.logChecked > 0 && !s.logAlarm && s.logChecked; }, 15000, 'a checked checkpoint');
  await stopPostvakt();
  for (const f of [db, `${db}-wal`, `${db}-shm`]) await rm(f, { force: true });
  await copyFile(`${db}.backup`, db);
  await startPostvakt();
  await publishDrafts(1, 'etter tilbakerulling');
  const s = await until(async () => { const s = await status(); return s.logAlarm ? s : null; }, 15000, 'the alarm');
  assert.match(s.logAlarm.message, /rolled back/);
  assert.equal(s.logChecked, seen, 'the checkpoint seen must be kept');
  const page = await popup();
  await page.locator('#problem').filter({ hasText: 'Revisjonsloggen på serveren stemmer ikke' }).waitFor();
  await page.screenshot({ path: path.join(shots, 'popup-log-rolled-back.png') });
  await page.close();
  const comp = await token('comp');
  const alarms = await until(async () => {
    const r = await api('GET', '/api/v1/audit?action=checkpoint_alarm', comp);
    return r.json.entries.length ? r.json.entries : null;
  }, 10000, 'the alarm in the log');
  assert.equal(alarms[0].user, 'kari');
});
