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

/** Managed (policy) settings; {} when no policy is set. */
export async function managedRead() {
  try {
    // Right after the extension starts, Chromium can take seconds to
    // answer managed storage (the policy service loads lazily); a check
    // must not wait for it, so an unanswered read counts as "no policy"
    // and the next read asks again.
    const timeout = new Promise((resolve) => setTimeout(() => resolve(null), 300));
    return (await Promise.race([chrome.storage.managed.get(null), timeout])) || {};
  } catch {
    return {};
  }
}

/**
 * Settings as the user set them, with policy values taking precedence.
 * @returns {Promise<{serverUrl: string, language: string, user: string, unit: string, sites: string[], disabledHosts: string[], managed: string[]}>}
 */
export async function settings() {
  const [{ settings: local = {} }, managed] = await Promise.all([localRead('settings'), managedRead()]);
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
