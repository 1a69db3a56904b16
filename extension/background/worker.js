// @ts-check
// The service worker hosts the Go checker (wasm). Chromium stops an idle
// worker after about 30 s, so the Go instance is disposable: every listener
// is registered synchronously at top level and awaits one `ready` promise,
// which starts the module, loads the face cascade and restores the active
// bundle from chrome.storage. Nothing that matters lives only in memory.
import '../lib/wasm_exec.js';
import { MSG, hasShape } from '../lib/messages.js';
import { localRead, localWrite, managedRead, settings, saveSettings } from '../lib/ext.js';
import { buildEntry } from '../lib/audit.js';

/** Bounded local audit queue (synced to the server in a later version). */
const MAX_QUEUE = 5000;

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

// Serialise queue writes: two entries arriving together must both be kept.
let queueLock = Promise.resolve();
/** @param {(q: any[]) => any[]} fn */
function updateQueue(fn) {
  const next = queueLock.then(async () => {
    const { auditQueue = [], auditDropped = 0 } = await localRead(['auditQueue', 'auditDropped']);
    let q = fn(auditQueue);
    let dropped = auditDropped;
    if (q.length > MAX_QUEUE) {
      dropped += q.length - MAX_QUEUE;
      q = q.slice(q.length - MAX_QUEUE);
    }
    await localWrite({ auditQueue: q, auditDropped: dropped });
    return q.length;
  });
  queueLock = next.catch(() => {});
  return next;
}

/** @param {chrome.runtime.MessageSender} sender */
function fromExtensionPage(sender) {
  return sender.id === chrome.runtime.id && typeof sender.url === 'string' &&
    sender.url.startsWith(chrome.runtime.getURL('pages/'));
}

/** @param {string} b64 */
function fromBase64(b64) {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** @type {Record<string, (msg: any, sender: chrome.runtime.MessageSender) => Promise<any>>} */
const handlers = {
  async [MSG.CHECK](msg) {
    if (!hasShape(msg, { draft: 'object' })) return { error: { code: 'EINVALID', message: 'draft missing' } };
    const pv = await start();
    // A check never waits for policy values that are not known yet.
    const [s, { crisis = null }] = await Promise.all([settings(0), localRead('crisis')]);
    const draft = { ...msg.draft, user: s.user, unit: s.unit };
    const opts = { lang: s.language, now: new Date().toISOString(), crisis };
    return JSON.parse(pv.check(JSON.stringify(draft), JSON.stringify(opts)));
  },
  async [MSG.AUDIT](msg) {
    if (!hasShape(msg, { action: 'string', text: 'string', report: 'object', draft: 'object' })) {
      return { error: { code: 'EINVALID', message: 'audit message incomplete' } };
    }
    const pv = await start();
    const s = await settings();
    const hash = JSON.parse(pv.textHash(msg.text)).sha256;
    const entry = buildEntry({
      id: crypto.randomUUID(), now: new Date(), settings: s, draft: msg.draft, report: msg.report,
      action: msg.action, reason: typeof msg.reason === 'string' ? msg.reason : '', host: msg.host, textSha256: hash,
    });
    const length = await updateQueue((q) => [...q, entry]);
    return { id: entry.id, queued: length };
  },
  async [MSG.FACES](msg) {
    if (!hasShape(msg, { rgba: 'string', width: 'number', height: 'number' })) {
      return { error: { code: 'EINVALID', message: 'image missing' } };
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
  async [MSG.STATUS](msg, sender) {
    if (!fromExtensionPage(sender)) return { error: { code: 'EFORBIDDEN', message: 'extension pages only' } };
    let ok = true;
    try { await start(); } catch { ok = false; }
    const s = await settings();
    const { auditQueue = [], auditDropped = 0 } = await localRead(['auditQueue', 'auditDropped']);
    return {
      ready: ok, bundle: bundleVersion, bundleError, startMs: Math.round(startMs), queue: auditQueue.length,
      dropped: auditDropped, serverUrl: s.serverUrl, language: s.language,
      siteEnabled: msg.host ? !s.disabledHosts.includes(msg.host) : true,
    };
  },
  async [MSG.SET_SITE](msg, sender) {
    if (!fromExtensionPage(sender) || !hasShape(msg, { host: 'string', enabled: 'boolean' })) {
      return { error: { code: 'EFORBIDDEN', message: 'extension pages only' } };
    }
    const s = await settings();
    const hosts = new Set(s.disabledHosts);
    if (msg.enabled) hosts.delete(msg.host); else hosts.add(msg.host);
    await saveSettings({ disabledHosts: [...hosts] });
    return { ok: true };
  },
  async [MSG.QUEUE](msg, sender) {
    if (!fromExtensionPage(sender)) return { error: { code: 'EFORBIDDEN', message: 'extension pages only' } };
    const { auditQueue = [] } = await localRead('auditQueue');
    return { entries: auditQueue };
  },
};

chrome.runtime.onMessage.addListener((msg, sender, sendResponse) => {
  const h = msg && handlers[msg.type];
  if (!h) return false;
  // Every handler runs after start(): chrome.storage calls made while the
  // Go module is still being instantiated were seen never to resolve.
  start().catch(() => null).then(() => h(msg, sender)).then(sendResponse,
    (e) => sendResponse({ error: { code: 'EINTERNAL', message: String(e && e.message || e) } }));
  return true;
});

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
      id: 'postvakt-sites', matches: sites, js: ['content/content.js'], allFrames: true, runAt: 'document_idle',
    }]);
  } catch (e) {
    console.warn('postvakt: could not register extra sites', e);
  }
}

chrome.runtime.onInstalled.addListener(() => { registerSites(); });
// Tells every tab's content script that settings changed (the popup's
// on/off switch, the options page); tabs without it just do not answer.
async function announceSettings() {
  try {
    for (const tab of await chrome.tabs.query({})) {
      if (tab.id !== undefined) chrome.tabs.sendMessage(tab.id, { type: MSG.SETTINGS_CHANGED }).catch(() => {});
    }
  } catch (e) {
    console.warn('postvakt: could not announce settings', e);
  }
}

chrome.storage.onChanged.addListener((changes, area) => {
  if (area === 'local' && changes.settings) {
    registerSites();
    announceSettings();
  }
});
start();
