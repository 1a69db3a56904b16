// @ts-check
// Sends the durable audit queue (lib/queue.js) to POST /api/v1/audit in
// batches, oldest first. An entry leaves the queue only when the server has
// answered for it: accepted, a duplicate (sent before, the answer lost) or
// rejected as invalid for good. A batch over the server's body limit is
// split, down to single entries; one entry the server can never take is
// counted as rejected instead of blocking the queue for ever. Any other
// failure stops the round and keeps everything for the next.
// Pure apart from the store and client it is given: unit-tested in Node.
import { HTTPError } from './client.js';

export const BATCH = 100;

/**
 * @typedef {{accepted: number, duplicates: number, rejected: number, checkpoint?: string}} Receipt
 * checkpoint: the signed checkpoint of the audit log the server answered with (see lib/logcheck.js).
 */

/**
 * Sends until the queue is empty. Throws what the client throws
 * (AuthRequired, NetworkError) or an HTTPError for a refused batch, after
 * counting what was sent before it.
 * @param {{batch: (n: number, user?: string) => Promise<any[]>, remove: (ids: string[]) => Promise<void>}} store
 * @param {{request: (path: string, init?: any) => Promise<Response>}} client
 * @param {(r: Receipt) => Promise<void> | void} [onReceipt] called after each answered batch
 * @param {string} [user] the signed-in user: entries written by another wait for theirs
 * @returns {Promise<Receipt>}
 */
export async function sendQueue(store, client, onReceipt = () => {}, user = '') {
  /** @type {Receipt} */
  const total = { accepted: 0, duplicates: 0, rejected: 0 };
  let size = BATCH;
  for (;;) {
    const batch = await store.batch(size, user);
    if (!batch.length) return total;
    const res = await client.request('/api/v1/audit', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ entries: batch }),
    });
    /** @type {Receipt} */
    let r;
    if (res.status === 413) {
      if (size > 1) {
        size = Math.max(1, Math.floor(size / 2));
        continue;
      }
      await store.remove([batch[0].id]);
      r = { accepted: 0, duplicates: 0, rejected: 1 };
    } else {
      if (!res.ok) throw new HTTPError(res.status, `HTTP${res.status}`, `the server answered ${res.status}`);
      /** @type {any} */
      let body;
      try { body = await res.json(); } catch { throw new HTTPError(502, 'EBADRESPONSE', 'the server did not answer with JSON'); }
      if (!body || typeof body.accepted !== 'number') throw new HTTPError(502, 'EBADRESPONSE', 'the server sent no receipt');
      await store.remove(batch.map((e) => e.id));
      r = { accepted: body.accepted, duplicates: Number(body.duplicates) || 0, rejected: Array.isArray(body.rejected) ? body.rejected.length : 0 };
      if (typeof body.checkpoint === 'string' && body.checkpoint) r.checkpoint = body.checkpoint;
    }
    total.accepted += r.accepted;
    total.duplicates += r.duplicates;
    total.rejected += r.rejected;
    if (r.checkpoint) total.checkpoint = r.checkpoint;
    await onReceipt(r);
  }
}
