// @ts-check
// Keeps the server honest about its audit log. The worker keeps the
// newest signed checkpoint of the log it has seen (and pins the log's
// key the first time); after each sync it asks the server for a
// consistency proof from that checkpoint to the one the server answered
// the last POST /audit with (or its newest), and has the wasm module
// (shared/audit, golang.org/x/mod/sumdb/tlog and note) verify it. A log
// rolled back, rewritten or forked behind the extension's back cannot
// pass: the result is an alarm, which the popup shows and the worker
// reports to the server (POST /api/v1/audit/alarm) for admins and
// compliance. Pure apart from the client and verifier it is given.
import { HTTPError } from './client.js';

/**
 * @typedef {{checkpoint?: string, publicKey?: string}} Seen
 * @typedef {{message: string, seen: string, current: string}} Alarm
 */

/** The tree size a signed checkpoint states (its second line), or -1. */
export function treeSize(/** @type {string} */ note) {
  const line = (note || '').split('\n')[1] || '';
  return /^\d+$/.test(line) ? Number(line) : -1;
}

/**
 * Checks that the log extends the checkpoint seen.
 * @param {Seen} seen the newest checkpoint seen, and the pinned key
 * @param {{request: (path: string, init?: any) => Promise<Response>}} client
 * @param {(older: string, newer: string, proof: string, pub: string) => string} verify the wasm module's verifyConsistency
 * @param {string} [current] the checkpoint of the last POST /audit answer
 * @returns {Promise<{seen: Seen, alarm: Alarm | null}>}
 */
export async function checkLog(seen, client, verify, current = '') {
  const old = seen.checkpoint ? treeSize(seen.checkpoint) : 0;
  let n = current ? treeSize(current) : 0;
  const alarm = (/** @type {string} */ message, /** @type {string} */ cur) => ({ seen, alarm: { message, seen: seen.checkpoint || '', current: cur } });
  if (current && n < old) return alarm(`the server answered with a checkpoint of ${n} entries after one of ${old}: the log was rolled back`, current);
  const res = await client.request(`/api/v1/audit/proof/consistency?old=${old}&new=${n}`);
  if (res.status === 422 && old > 0) {
    return alarm(`the server cannot prove that its log extends the checkpoint of ${old} entries seen before: the log was rolled back`, current);
  }
  if (res.status === 404 && !old) return { seen, alarm: null }; // no checkpoint yet
  if (!res.ok) throw new HTTPError(res.status, `HTTP${res.status}`, `the server answered ${res.status}`);
  /** @type {any} */
  const body = await res.json();
  const key = seen.publicKey || body.public_key || '';
  if (seen.publicKey && body.public_key && body.public_key !== seen.publicKey) {
    return alarm('the server signs its checkpoints with another key than before', body.checkpoint || '');
  }
  const newer = current || body.checkpoint || '';
  if (!newer) return { seen, alarm: null };
  const r = JSON.parse(verify(seen.checkpoint || '', newer, JSON.stringify(body.proof || []), key));
  if (r.error) return alarm(r.error.message, newer);
  return { seen: r.size >= old ? { checkpoint: newer, publicKey: key } : seen, alarm: null };
}
