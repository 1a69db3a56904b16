// @ts-check
// The one module that calls chrome.storage (local and managed). Everything
// degrades gracefully: a missing managed store (no policy) reads as {}.
// The service worker can be stopped at any time, so nothing that matters
// lives only in memory: settings, the active bundle and the audit queue are
// read from and written to storage.

/** @param {string|string[]} keys */
export async function localRead(keys) {
  try {
    return await chrome.storage.local.get(keys);
  } catch {
    return {};
  }
}

/** @param {Record<string, any>} items */
export async function localWrite(items) {
  await chrome.storage.local.set(items);
}

// Policy values, kept for the life of the worker once read. Right after the
// browser starts, Chromium answers chrome.storage.managed only after 1–3 s
// (the policy service loads lazily; measured here with Chromium 156), and
// a check must not wait for that: until the first read resolves, a caller
// waits at most maxWaitMs and then counts it as "no policy".
/** @type {Record<string, any> | null} */
let managedCache = null;
/** @type {Promise<Record<string, any>> | null} */
let managedPending = null;

/**
 * Managed (policy) settings; {} when no policy is set or it is not known yet.
 * @param {number} [maxWaitMs]
 */
export async function managedRead(maxWaitMs = 300) {
  if (managedCache) return managedCache;
  if (!managedPending) {
    managedPending = (async () => {
      try {
        managedCache = (await chrome.storage.managed.get(null)) || {};
      } catch {
        managedCache = {};
      }
      return managedCache;
    })();
  }
  if (maxWaitMs <= 0) return {};
  const timeout = new Promise((resolve) => setTimeout(() => resolve(null), maxWaitMs));
  return (await Promise.race([managedPending, timeout])) || {};
}

try {
  chrome.storage.onChanged.addListener((_changes, area) => {
    if (area === 'managed') {
      managedCache = null;
      managedPending = null;
    }
  });
} catch {
  // Not in an extension context (unit tests without a stub).
}

/**
 * Settings as the user set them, with policy values taking precedence.
 * maxWaitMs bounds the wait for policy values not read yet (see managedRead).
 * @param {number} [maxWaitMs]
 * @returns {Promise<{serverUrl: string, language: string, user: string, unit: string, sites: string[], disabledHosts: string[], managed: string[]}>}
 */
export async function settings(maxWaitMs = 300) {
  const [{ settings: local = {} }, managed] = await Promise.all([localRead('settings'), managedRead(maxWaitMs)]);
  const s = {
    serverUrl: '', language: 'nb', user: '', unit: '', sites: [], disabledHosts: [],
    ...local,
  };
  const fromPolicy = [];
  for (const k of ['serverUrl', 'language', 'unit', 'sites']) {
    if (managed[k] !== undefined) {
      s[k] = managed[k];
      fromPolicy.push(k);
    }
  }
  return { ...s, managed: fromPolicy };
}

/** @param {Record<string, any>} patch */
export async function saveSettings(patch) {
  const { settings: local = {} } = await localRead('settings');
  await localWrite({ settings: { ...local, ...patch } });
}
