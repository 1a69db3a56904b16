// @ts-check
// A stub of the chrome.* APIs the extension uses, for unit tests (after
// Vimium's tests/unit_tests/test_chrome_stubs.js): storage that deep-copies
// values and fires onChanged like the real one, runtime messaging answered
// by a handler the test gives, and a permission request the test decides.

/**
 * @param {{id?: string, onMessage?: (msg: any, sender: any) => any, grant?: (origins: string[]) => boolean}} [o]
 */
export function chromeStub(o = {}) {
  const id = o.id || 'abcdefghijklmnopabcdefghijklmnop';
  const changed = [];
  const area = (name) => {
    let data = {};
    return {
      async get(keys) {
        if (keys === null || keys === undefined) return structuredClone(data);
        const out = {};
        for (const k of Array.isArray(keys) ? keys : [keys]) if (k in data) out[k] = structuredClone(data[k]);
        return out;
      },
      async set(items) {
        const changes = {};
        for (const [k, v] of Object.entries(items)) {
          changes[k] = { oldValue: data[k], newValue: structuredClone(v) };
          data[k] = structuredClone(v);
        }
        for (const l of changed) l(structuredClone(changes), name);
      },
      async remove(keys) {
        for (const k of Array.isArray(keys) ? keys : [keys]) delete data[k];
      },
      _reset() { data = {}; },
    };
  };
  const sent = [];
  const listeners = [];
  const requested = [];
  const stub = {
    runtime: {
      id,
      lastError: undefined,
      getURL: (p) => `chrome-extension://${id}/${p}`,
      getManifest: () => ({ content_scripts: [{ js: [] }] }),
      sendMessage(msg, cb) {
        sent.push(structuredClone(msg));
        Promise.resolve(o.onMessage ? o.onMessage(msg, { id, url: 'https://www.facebook.com/' }) : undefined)
          .then((r) => cb && cb(r === undefined ? undefined : structuredClone(r)));
      },
      onMessage: { addListener: (l) => listeners.push(l) },
    },
    storage: {
      local: area('local'),
      managed: { async get() { return {}; } },
      onChanged: { addListener: (l) => changed.push(l) },
    },
    permissions: {
      async request({ origins }) {
        requested.push(...origins);
        return o.grant ? o.grant(origins) : false;
      },
      async contains() { return false; },
    },
  };
  return { chrome: stub, sent, listeners, requested };
}
