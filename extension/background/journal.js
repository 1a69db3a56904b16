// @ts-check
// Journalføring in the service worker (issue #14): sends a published post
// that the writer chose to save, and later captures of its comments, to
// the server with the writer's token, and remembers which post address
// became which item so that a later visit can offer to add new comments.
// Content scripts send these messages only on the writer's click; no
// draft ever reaches them.
import { MSG, ERR, hasShape } from '../lib/messages.js';
import { localRead, localWrite } from '../lib/ext.js';
import { AuthRequired, NetworkError } from '../lib/client.js';

const MAX_KNOWN = 200;
/** Comments per request, so that a long thread stays under the body limit. */
export const COMMENT_BATCH = 100;

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
    const code = err instanceof AuthRequired ? 'EAUTH' : err instanceof NetworkError ? ERR.NETWORK : ERR.INTERNAL;
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
 * Sends comments to item id in batches; returns the last answer with
 * "added" summed, or the first error (earlier batches stay stored, and
 * sending the same comments again adds only those still missing).
 * @param {{request: (path: string, init?: any) => Promise<Response>}} client
 * @param {string} id
 * @param {any[]} comments
 */
async function addComments(client, id, comments) {
  let added = 0;
  let last = { id, added: 0, comments: 0 };
  for (let i = 0; i < comments.length; i += COMMENT_BATCH) {
    const r = await post(client, `/api/v1/journal/${encodeURIComponent(id)}/comments`, { comments: comments.slice(i, i + COMMENT_BATCH) });
    if (r.error) return r;
    added += r.added || 0;
    last = r;
  }
  return { ...last, added };
}

/**
 * The worker's handlers for the journal messages.
 * @param {{request: (path: string, init?: any) => Promise<Response>}} client
 */
export function journalHandlers(client) {
  return {
    async [MSG.JOURNAL_SAVE](/** @type {any} */ msg) {
      if (!hasShape(msg, { item: 'object' }) || !msg.item || typeof msg.item.url !== 'string') {
        return { error: { code: ERR.INVALID, message: 'item missing' } };
      }
      const comments = Array.isArray(msg.item.comments) ? msg.item.comments : [];
      const r = await post(client, '/api/v1/journal', { ...msg.item, comments: comments.slice(0, COMMENT_BATCH) });
      if (!r || typeof r.id !== 'string') return r;
      await remember(msg.item.url, { id: r.id, title: String(msg.item.title || ''), deadline: String(msg.item.deadline || '') });
      if (comments.length <= COMMENT_BATCH) return r;
      const more = await addComments(client, r.id, comments.slice(COMMENT_BATCH));
      if (more.error) return more;
      return { ...r, comments: more.comments, added: (r.added || 0) + more.added };
    },
    async [MSG.JOURNAL_COMMENTS](/** @type {any} */ msg) {
      if (!hasShape(msg, { id: 'string', comments: 'object' }) || !Array.isArray(msg.comments)) {
        return { error: { code: ERR.INVALID, message: 'comments missing' } };
      }
      if (!msg.comments.length) return post(client, `/api/v1/journal/${encodeURIComponent(msg.id)}/comments`, { comments: [] });
      return addComments(client, msg.id, msg.comments);
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
