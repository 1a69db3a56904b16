// @ts-check
// The service worker hosts the Go checker (wasm) and the link to the
// organisation's server. Chromium stops an idle worker after about 30 s,
// so the Go instance is disposable: every listener is registered
// synchronously at top level and awaits one `ready` promise, which starts
// the module, loads the face cascade and restores the active bundle from
// chrome.storage. Nothing that matters lives only in memory: the audit
// queue and the sign-in are in IndexedDB (lib/queue.js), the bundle, its
// ETag, the crisis state and the last sync in chrome.storage.local.
//
// Sync with the server, in the manner of policy-bundle distribution:
// - pull: GET /api/v1/bundle with If-None-Match when the worker starts,
//   when a composer gets focus (at most every 30 s), on an alarm every
//   5–7 minutes (jittered so a fleet does not arrive at once), and after
//   sign-in;
// - push: an offscreen document (offscreen/stream.js) holds the server's
//   event stream open; a worker cannot, because it is stopped when idle.
//   Each event is a runtime message, which wakes a stopped worker.
// A bundle is activated only after the engine has validated it and run its
// examples; until then the last good one stays in force.
import '../lib/wasm_exec.js';
import { MSG, ERR, fail, hasShape, senderAllowed } from '../lib/messages.js';
import { localRead, localWrite, managedRead, settings, saveSettings } from '../lib/ext.js';
import { buildEntry } from '../lib/audit.js';
import { Store } from '../lib/queue.js';
import { Client, AuthRequired, HTTPError, NetworkError, serverOrigin } from '../lib/client.js';
import { sendQueue } from '../lib/sender.js';
import { journalHandlers } from './journal.js';
import { checkLog, treeSize } from '../lib/logcheck.js';

const SYNC_PERIOD_MIN = 5;     // minutes between timed revalidations, plus up to 2 of jitter
const FOCUS_THROTTLE_MS = 30_000;
const MAX_BACKOFF_MS = 5 * 60_000;

const store = new Store(self.indexedDB);
const client = new Client({
  fetch: (url, init) => fetch(url, init),
  load: () => store.get('auth'),
  save: (a) => store.set('auth', a),
});

/** @type {Promise<any> | null} */
let ready = null;
let startMs = 0;
let bundleVersion = '';
let bundleError = '';

function start() {
  if (ready) return ready;
  ready = (async () => {
    const t0 = performance.now();
    // @ts-ignore: Go is defined by wasm_exec.js.
    const go = new globalThis.Go();
    const resp = await fetch(chrome.runtime.getURL('postvakt.wasm'));
    const { instance } = await WebAssembly.instantiate(await resp.arrayBuffer(), go.importObject);
    go.run(instance);
    /** @type {any} */
    const pv = globalThis['postvakt'];
    try {
      const cascade = await fetch(chrome.runtime.getURL('facefinder'));
      pv.loadCascade(new Uint8Array(await cascade.arrayBuffer()));
    } catch (e) {
      console.warn('postvakt: face cascade not loaded', e);
    }
    bundleVersion = JSON.parse(pv.builtinBundle()).version;
    managedRead(0); // Starts the slow first policy read without waiting for it.
    const { bundle } = await localRead('bundle');
    if (typeof bundle === 'string') {
      const r = JSON.parse(pv.loadBundle(bundle));
      if (r.error) bundleError = r.error.message;
      else bundleVersion = r.version;
    }
    startMs = performance.now() - t0;
    return pv;
  })();
  ready.catch(() => { ready = null; });
  return ready;
}

// ---- audit queue ----------------------------------------------------------

/** @type {Promise<void> | null} */
let flushing = null;
let flushAgain = false;
let backoffMs = 0;
/** @type {any} */
let retryTimer = 0;

/** @param {Record<string, any>} patch */
async function noteSync(patch) {
  const { sync = {} } = await localRead('sync');
  await localWrite({ sync: { ...sync, ...patch } });
}

/**
 * Sends the queue in batches until it is empty. Entries leave the queue
 * only when the server has answered for them; a network failure or a 5xx
 * keeps them and retries with exponential backoff and jitter.
 */
function flush() {
  if (flushing) {
    flushAgain = true;
    return flushing;
  }
  flushing = (async () => {
    do {
      flushAgain = false;
      try {
        const sent = await sendQueue(store, client, async (r) => {
          const { sync = {} } = await localRead('sync');
          await noteSync({
            auditAt: Date.now(), auditError: '', sent: (sync.sent || 0) + r.accepted,
            duplicates: (sync.duplicates || 0) + r.duplicates, rejected: (sync.rejected || 0) + r.rejected,
          });
          if (r.rejected) console.warn(`postvakt: the server rejected ${r.rejected} audit entries`);
        }, ((await store.get('auth')) || {}).user || '');
        backoffMs = 0;
        const { sync = {} } = await localRead('sync');
        if (sync.auditError) await noteSync({ auditError: '' });
        await checkAuditLog(sent.checkpoint || '');
      } catch (e) {
        if (e instanceof AuthRequired) {
          // Kept until the user signs in again.
          await noteSync({ auditError: 'auth' });
        } else {
          backoffMs = Math.min(MAX_BACKOFF_MS, Math.max(2000, backoffMs * 2));
          const wait = backoffMs / 2 + Math.random() * backoffMs / 2;
          await noteSync({ auditError: e instanceof NetworkError ? 'network' : 'server' });
          retryLater(wait);
        }
        flushAgain = false;
      }
    } while (flushAgain);
  })().finally(() => { flushing = null; });
  return flushing;
}

/**
 * Checks that the server's audit log extends the newest checkpoint this
 * browser has seen (lib/logcheck.js). A failure is kept (the popup shows
 * it) and reported to the server once per pair of checkpoints; the
 * checkpoint seen is kept, so that every later check fails too until the
 * log is whole again. A network failure here is not an alarm.
 * @param {string} current the checkpoint of the last POST /audit answer
 */
async function checkAuditLog(current) {
  const pv = await start();
  const { logSeen = {}, logAlarm = null } = await localRead(['logSeen', 'logAlarm']);
  let r;
  try {
    r = await checkLog(logSeen, client, (o, n, p, k) => pv.verifyConsistency(o, n, p, k), current);
  } catch (e) {
    console.warn('postvakt: the audit log could not be checked:', e instanceof Error ? e.message : e);
    return;
  }
  if (!r.alarm) {
    await localWrite({ logSeen: r.seen, logAlarm: null });
    return;
  }
  const fresh = !logAlarm || logAlarm.current !== r.alarm.current || logAlarm.seen !== r.alarm.seen;
  await localWrite({ logAlarm: { ...r.alarm, at: Date.now(), reported: fresh ? false : !!(logAlarm && logAlarm.reported) } });
  if (fresh || !(logAlarm && logAlarm.reported)) {
    try {
      const res = await client.request('/api/v1/audit/alarm', {
        method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ seen: r.alarm.seen, current: r.alarm.current, error: r.alarm.message }),
      });
      if (res.ok) await localWrite({ logAlarm: { ...r.alarm, at: Date.now(), reported: true } });
    } catch { /* reported on the next sync */ }
  }
}

/** Retries in wait ms: a timer while the worker lives, an alarm if it is stopped first. */
function retryLater(/** @type {number} */ wait) {
  clearTimeout(retryTimer);
  retryTimer = setTimeout(() => { flush(); }, wait);
  chrome.alarms.create('flush', { when: Date.now() + Math.max(wait, 30_000) });
}

// ---- rules sync -----------------------------------------------------------

/** @type {Promise<any> | null} */
let syncing = null;
let syncAgain = false;
let lastSyncAttempt = 0;

/** Tells every tab's content script to check its composer again. */
async function announce(/** @type {string} */ type) {
  try {
    for (const tab of await chrome.tabs.query({})) {
      if (tab.id !== undefined) chrome.tabs.sendMessage(tab.id, { type }).catch(() => {});
    }
  } catch (e) {
    console.warn('postvakt: could not reach the tabs', e);
  }
}

/**
 * Validates and stores a crisis state from the server.
 * @param {any} c
 */
async function applyCrisis(c) {
  if (!c || typeof c !== 'object' || typeof c.active !== 'boolean') return false;
  const next = { active: c.active, message: String(c.message || ''), team: Array.isArray(c.team) ? c.team.map(String) : [] };
  const { crisis = null } = await localRead('crisis');
  if (JSON.stringify(crisis) === JSON.stringify(next)) return false;
  await localWrite({ crisis: next });
  return true;
}

/**
 * Revalidates the bundle and the crisis state. A bundle that fails
 * validation or its own examples is never activated: the last good one
 * stays in force and the failure is kept for the popup.
 * @param {string} reason start, focus, timer, push, login, user
 */
function syncRules(reason) {
  if (syncing) {
    // A push that arrives while a sync runs may be about a version that
    // sync has already missed: run once more after it.
    if (reason !== 'focus') syncAgain = true;
    return syncing;
  }
  if (reason === 'focus' && Date.now() - lastSyncAttempt < FOCUS_THROTTLE_MS) return Promise.resolve();
  lastSyncAttempt = Date.now();
  syncing = syncOnce().finally(() => {
    syncing = null;
    if (syncAgain) {
      syncAgain = false;
      syncRules('again');
    }
  });
  return syncing;
}

/** One revalidation of the bundle and the crisis state. */
async function syncOnce() {
  let changed = false;
  try {
    const { bundleEtag = '' } = await localRead('bundleEtag');
    const res = await client.request('/api/v1/bundle', { headers: bundleEtag ? { 'If-None-Match': bundleEtag } : {} });
    if (res.status === 200) {
      const text = await res.text();
      const pv = await start();
      const r = JSON.parse(pv.loadBundle(text));
      if (r.error) {
        const version = res.headers.get('X-Postvakt-Version') || '';
        console.warn(`postvakt: bundle ${version} refused: ${r.error.message}`);
        await noteSync({ attemptAt: Date.now(), error: 'invalid', errorVersion: version, errorDetail: r.error.message });
        return;
      }
      bundleVersion = r.version;
      bundleError = '';
      await localWrite({ bundle: text, bundleEtag: res.headers.get('ETag') || '' });
      changed = true;
    } else if (res.status !== 304) {
      throw new HTTPError(res.status, `HTTP${res.status}`, `the server answered ${res.status}`);
    }
    const cr = await client.request('/api/v1/crisis');
    if (cr.ok) {
      let c = null;
      try { c = await cr.json(); } catch { /* garbage: keep the state */ }
      if (await applyCrisis(c)) changed = true;
    }
    await noteSync({ at: Date.now(), error: '', errorVersion: '', errorDetail: '' });
  } catch (e) {
    const kind = e instanceof AuthRequired ? 'auth' : e instanceof NetworkError ? 'network' : 'server';
    await noteSync({ attemptAt: Date.now(), error: kind, errorDetail: String(/** @type {any} */ (e)?.message || e) });
  } finally {
    if (changed) announce(MSG.RULES_CHANGED);
  }
}

function scheduleTimer() {
  const jitter = Math.random() * 2 * 60_000;
  chrome.alarms.create('sync', { when: Date.now() + SYNC_PERIOD_MIN * 60_000 + jitter });
}

// ---- the push stream (offscreen document) ---------------------------------

const STREAM_URL = 'offscreen/stream.html';
/** @type {Promise<void> | null} */
let streamOpening = null;

async function streamOpen() {
  // @ts-ignore: getContexts is Chrome 116+.
  const ctxs = await chrome.runtime.getContexts({ contextTypes: ['OFFSCREEN_DOCUMENT'] });
  return ctxs.length > 0;
}

/** Opens the offscreen document that holds the event stream, if signed in. */
function ensureStream() {
  if (streamOpening) return streamOpening;
  streamOpening = (async () => {
    const auth = await store.get('auth');
    if (!auth || auth.expired || !auth.refresh) return;
    if (await streamOpen()) return;
    await chrome.offscreen.createDocument({
      url: STREAM_URL,
      // No reason names "network"; WORKERS is the nearest: the document
      // exists to run a long-lived task the service worker cannot.
      reasons: [chrome.offscreen.Reason.WORKERS],
      justification: 'Keeps the connection to the organisation\'s Postvakt server open, so rule updates and crisis mode arrive within seconds while the service worker sleeps.',
    });
  })().catch((e) => console.warn('postvakt: could not open the event stream', e)).finally(() => { streamOpening = null; });
  return streamOpening;
}

async function closeStream() {
  try {
    if (await streamOpen()) await chrome.offscreen.closeDocument();
  } catch { /* already closed */ }
}

// ---- messages -------------------------------------------------------------

/** @param {string} b64 */
function fromBase64(b64) {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** The signed-in user's name and unit, else the options page's. */
async function identity() {
  const [s, auth] = await Promise.all([settings(0), store.get('auth')]);
  if (auth && auth.user) return { ...s, user: auth.user, unit: auth.unit || s.unit };
  return s;
}

async function status(/** @type {string} */ host) {
  let ok = true;
  try { await start(); } catch { ok = false; }
  const [s, auth, q, { sync = {} }, { logAlarm = null, logSeen = {} }] = await Promise.all([settings(), store.get('auth'), store.stats(), localRead('sync'), localRead(['logAlarm', 'logSeen'])]);
  const othersWaiting = auth && auth.user ? await store.othersWaiting(auth.user) : 0;
  return {
    othersWaiting,
    ready: ok, bundle: bundleVersion, bundleError, startMs: Math.round(startMs), queue: q.length,
    dropped: q.reports ? q.dropped : 0, serverUrl: s.serverUrl, language: s.language, managed: s.managed,
    siteEnabled: host ? !s.disabledHosts.includes(host) : true,
    signedIn: !!(auth && auth.refresh && !auth.expired), expired: !!(auth && auth.expired),
    user: auth ? auth.user : '', server: auth ? auth.server : '', roles: auth ? auth.roles : [],
    sync, logAlarm, logChecked: logSeen.checkpoint ? treeSize(logSeen.checkpoint) : 0,
  };
}

/** @type {Record<string, (msg: any, sender: chrome.runtime.MessageSender) => Promise<any>>} */
const handlers = {
  async [MSG.CHECK](msg) {
    if (!hasShape(msg, { draft: 'object' })) return fail(ERR.INVALID, 'draft missing');
    const pv = await start();
    // A check never waits for policy values that are not known yet.
    const [s, { crisis = null }] = await Promise.all([identity(), localRead('crisis')]);
    const draft = { ...msg.draft, user: s.user, unit: s.unit };
    const opts = { lang: s.language, now: new Date().toISOString(), crisis };
    return JSON.parse(pv.check(JSON.stringify(draft), JSON.stringify(opts)));
  },
  async [MSG.AUDIT](msg) {
    if (!hasShape(msg, { action: 'string', text: 'string', report: 'object', draft: 'object' })) {
      return fail(ERR.INVALID, 'audit message incomplete');
    }
    const pv = await start();
    // The entry is in the name of whoever is signed in (also with an
    // expired session), so it is never sent under another user's token.
    const [s, auth] = await Promise.all([identity(), store.get('auth')]);
    s.user = (auth && auth.user) || '';
    const hash = JSON.parse(pv.textHash(msg.text)).sha256;
    const entry = buildEntry({
      id: crypto.randomUUID(), now: new Date(), settings: s, draft: msg.draft, report: msg.report,
      action: msg.action, reason: typeof msg.reason === 'string' ? msg.reason : '', host: msg.host, textSha256: hash,
    });
    const { length } = await store.add(entry);
    flush();
    return { id: entry.id, queued: length };
  },
  async [MSG.FACES](msg) {
    if (!hasShape(msg, { rgba: 'string', width: 'number', height: 'number' })) {
      return fail(ERR.INVALID, 'image missing');
    }
    const pv = await start();
    return JSON.parse(pv.detectFaces(fromBase64(msg.rgba), msg.width, msg.height));
  },
  async [MSG.SETTINGS](msg, sender) {
    const s = await settings();
    let host = '';
    try { host = new URL(sender.url || '').host; } catch { /* no url */ }
    return { language: s.language, enabled: !s.disabledHosts.includes(host) };
  },
  async [MSG.FOCUS]() {
    syncRules('focus');
    ensureStream();
    return { ok: true };
  },
  async [MSG.STATUS](msg) {
    return status(msg.host);
  },
  async [MSG.SET_SITE](msg) {
    if (!hasShape(msg, { host: 'string', enabled: 'boolean' })) return fail(ERR.INVALID, 'host or enabled missing');
    const s = await settings();
    const hosts = new Set(s.disabledHosts);
    if (msg.enabled) hosts.delete(msg.host); else hosts.add(msg.host);
    await saveSettings({ disabledHosts: [...hosts] });
    return { ok: true };
  },
  async [MSG.QUEUE]() {
    return { entries: await store.batch(MAX_LIST) };
  },
  async [MSG.LOGIN](msg) {
    if (!hasShape(msg, { username: 'string', password: 'string' })) return fail(ERR.INVALID, 'username or password missing');
    const s = await settings();
    if (!serverOrigin(s.serverUrl)) return fail(ERR.NO_SERVER, 'no server address is set');
    try {
      await client.login(s.serverUrl, msg.username, msg.password);
    } catch (e) {
      const err = /** @type {any} */ (e);
      return fail(err instanceof NetworkError ? ERR.NETWORK : err.code || ERR.INTERNAL, String(err.message || err), { status: err.status || 0 });
    }
    await Promise.all([syncRules('login'), flush()]);
    await ensureStream();
    announce(MSG.RULES_CHANGED); // The user name changed: crisis-team membership may have too.
    return status(msg.host);
  },
  async [MSG.LOGOUT](msg) {
    // Send what this user queued while the session still can (briefly:
    // signing out must not hang on a slow server); the rest waits for
    // their next sign-in.
    await Promise.race([flush(), new Promise((r) => setTimeout(r, 3000))]);
    await closeStream();
    await client.logout();
    // Crisis mode is the server's state; without a session it cannot be
    // switched off here, so it is not kept. The organisation's bundle is.
    await localWrite({ crisis: null });
    announce(MSG.RULES_CHANGED);
    return status(msg.host);
  },
  async [MSG.SYNC](msg) {
    await Promise.all([syncRules('user'), flush()]);
    return status(msg.host);
  },
  async [MSG.STREAM_TOKEN](msg) {
    try {
      const auth = await client.session(msg.stale === true);
      return { server: auth.server, token: auth.access };
    } catch (e) {
      if (e instanceof AuthRequired) return {};
      return { retry: true };
    }
  },
  async [MSG.STREAM_EVENT](msg) {
    if (typeof msg.name !== 'string') return {};
    const data = msg.data || {};
    if (msg.name === 'hello') {
      // A (re)connect: the server is up. Resync and send what waited.
      const { bundleEtag = '' } = await localRead('bundleEtag');
      if (data.etag !== bundleEtag) syncRules('push');
      if (await applyCrisis(data.crisis)) announce(MSG.RULES_CHANGED);
      backoffMs = 0;
      flush();
    } else if (msg.name === 'bundle') {
      const { bundleEtag = '' } = await localRead('bundleEtag');
      if (data.etag !== bundleEtag) await syncRules('push');
    } else if (msg.name === 'crisis') {
      if (await applyCrisis(data)) announce(MSG.RULES_CHANGED);
    }
    return { ok: true };
  },
  async [MSG.STREAM_IDLE]() {
    await closeStream();
    return {};
  },
};
const MAX_LIST = 500;
Object.assign(handlers, journalHandlers(client));

chrome.runtime.onMessage.addListener((msg, sender, sendResponse) => {
  const h = msg && handlers[msg.type];
  if (!h) return false;
  // The one gate per trust tier (see TIER in lib/messages.js): content
  // scripts may check and audit, only the extension's own pages may read
  // the queue or change settings, only the offscreen document may speak
  // for the server's stream.
  if (!senderAllowed(msg.type, sender, chrome.runtime.id, chrome.runtime.getURL(''))) {
    sendResponse(fail(ERR.FORBIDDEN, `${msg.type} may not be sent from here`));
    return false;
  }
  // Every handler runs after start(): chrome.storage calls made while the
  // Go module is still being instantiated were seen never to resolve.
  start().catch(() => null).then(() => h(msg, sender)).then(sendResponse,
    (e) => sendResponse(fail(ERR.INTERNAL, String(e && e.message || e))));
  return true;
});

chrome.alarms.onAlarm.addListener((alarm) => {
  if (alarm.name === 'sync') {
    scheduleTimer();
    start().catch(() => null).then(() => Promise.all([syncRules('timer'), flush(), ensureStream()]));
  } else if (alarm.name === 'flush') {
    start().catch(() => null).then(() => flush());
  }
});

self.addEventListener('online', () => { flush(); });

// Extra sites an admin added (policy or options) get the content script
// when the host permission has been granted.
async function registerSites() {
  const s = await settings();
  const sites = (s.sites || []).filter((p) => typeof p === 'string' && /^https?:\/\//.test(p));
  try {
    await chrome.scripting.unregisterContentScripts({ ids: ['postvakt-sites'] }).catch(() => {});
    if (!sites.length) return;
    const granted = await chrome.permissions.contains({ origins: sites });
    if (!granted) return;
    await chrome.scripting.registerContentScripts([{
      // The same ordered scripts as the manifest's content script.
      id: 'postvakt-sites', matches: sites, js: chrome.runtime.getManifest().content_scripts?.[0].js || [], allFrames: true, runAt: 'document_idle',
    }]);
  } catch (e) {
    console.warn('postvakt: could not register extra sites', e);
  }
}

chrome.runtime.onInstalled.addListener(() => { registerSites(); });

chrome.storage.onChanged.addListener((changes, area) => {
  if (area === 'local' && changes.settings) {
    registerSites();
    announce(MSG.SETTINGS_CHANGED);
    const before = changes.settings.oldValue || {};
    const after = changes.settings.newValue || {};
    if (serverOrigin(before.serverUrl) !== serverOrigin(after.serverUrl)) serverChanged();
  }
});

/** A session belongs to one server: a new address signs the user out. */
async function serverChanged() {
  const [s, auth] = await Promise.all([settings(), store.get('auth')]);
  if (auth && auth.server !== serverOrigin(s.serverUrl)) {
    await closeStream();
    await client.logout();
  }
}

// Entries queued in chrome.storage.local by version 0.1 move to IndexedDB.
async function migrateQueue() {
  const { auditQueue } = await localRead('auditQueue');
  if (!Array.isArray(auditQueue)) return;
  for (const e of auditQueue) await store.add(e);
  await chrome.storage.local.remove(['auditQueue', 'auditDropped']);
}

async function boot() {
  await start().catch(() => null);
  await migrateQueue().catch((e) => console.warn('postvakt: queue migration failed', e));
  if (!(await chrome.alarms.get('sync'))) scheduleTimer();
  const auth = await store.get('auth');
  if (!auth || auth.expired) return;
  await ensureStream();
  // The worker restarts after every idle stop; the stream and the timer
  // cover the time between, so a restart revalidates only if it has been
  // a while.
  const { sync = {} } = await localRead('sync');
  await Promise.all([Date.now() - (sync.at || 0) > 60_000 ? syncRules('start') : null, flush()]);
}
boot();
