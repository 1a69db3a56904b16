// @ts-check
// Journalføring in the service worker (issue #14): sends a published post
// that the writer chose to save, and later captures of its comments, to
// the server with the writer's token, and remembers which post address
// became which item so that a later visit can offer to add new comments.
// Content scripts send these messages only on the writer's click; no
// draft ever reaches them.
import { MSG, hasShape } from '../lib/messages.js';
import { localRead, localWrite } from '../lib/ext.js';
import { AuthRequired, NetworkError } from '../lib/client.js';

const MAX_KNOWN = 200;

/**
 * POSTs body to path and returns the JSON answer, or {error} with the
 * server's code, message and details (which field was wrong).
 * @param {{request: (path: string, init?: any) => Promise<Response>}} client
 * @param {string} path
 * @param {any} body
 */
async function post(client, path, body) {
  try {
    const res = await client.request(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    let json = null;
    try { json = await res.json(); } catch { /* not JSON */ }
    if (!res.ok) {
      const e = (json && json.error) || {};
      return { error: { code: e.code || `HTTP${res.status}`, message: String(e.message || res.status), details: e.details, status: res.status } };
    }
    return json || {};
  } catch (e) {
    const err = /** @type {any} */ (e);
    const code = err instanceof AuthRequired ? 'EAUTH' : err instanceof NetworkError ? 'ENETWORK' : 'EINTERNAL';
    return { error: { code, message: String(err && err.message || err) } };
  }
}

/**
 * Remembers that url was saved as item id.
 * @param {string} url
 * @param {{id: string, title: string, deadline: string}} item
 */
async function remember(url, item) {
  const { journalItems = {} } = await localRead('journalItems');
  journalItems[url] = { ...item, savedAt: Date.now() };
  const urls = Object.keys(journalItems).sort((a, b) => journalItems[b].savedAt - journalItems[a].savedAt);
  for (const u of urls.slice(MAX_KNOWN)) delete journalItems[u];
  await localWrite({ journalItems });
}

/**
 * The worker's handlers for the journal messages.
 * @param {{request: (path: string, init?: any) => Promise<Response>}} client
 */
export function journalHandlers(client) {
  return {
    async [MSG.JOURNAL_SAVE](/** @type {any} */ msg) {
      if (!hasShape(msg, { item: 'object' }) || !msg.item || typeof msg.item.url !== 'string') {
        return { error: { code: 'EINVALID', message: 'item missing' } };
      }
      const r = await post(client, '/api/v1/journal', msg.item);
      if (r && typeof r.id === 'string') {
        await remember(msg.item.url, { id: r.id, title: String(msg.item.title || ''), deadline: String(msg.item.deadline || '') });
      }
      return r;
    },
    async [MSG.JOURNAL_COMMENTS](/** @type {any} */ msg) {
      if (!hasShape(msg, { id: 'string', comments: 'object' }) || !Array.isArray(msg.comments)) {
        return { error: { code: 'EINVALID', message: 'comments missing' } };
      }
      return post(client, `/api/v1/journal/${encodeURIComponent(msg.id)}/comments`, { comments: msg.comments });
    },
    async [MSG.JOURNAL_KNOWN](/** @type {any} */ msg) {
      if (!msg || !Array.isArray(msg.urls)) return { items: [] };
      const { journalItems = {} } = await localRead('journalItems');
      const items = [];
      for (const url of msg.urls.slice(0, 50)) {
        if (typeof url === 'string' && journalItems[url]) items.push({ url, ...journalItems[url] });
      }
      return { items };
    },
  };
}
