// @ts-check
// The message catalogue between content scripts, extension pages and the
// service worker. The prefix names the sender: cs- content script, ui-
// extension page, off- the offscreen document, bg- the service worker.
// Only ui- messages from the extension's own pages may read the queue or
// change settings; the worker checks that once, in its listener, against
// TIER below.
//
// This file is also the content scripts' catalogue: the Makefile copies it
// to content/messages.js as a classic script (content scripts cannot import
// modules), so no message name or error code is written twice.
export const MSG = Object.freeze({
  CHECK: 'cs-check',       // {draft} -> Report | {error}
  AUDIT: 'cs-audit',       // {action, reason, text, report, draft} -> {id}
  FACES: 'cs-faces',       // {rgba: base64, width, height} -> {faces} | {error}
  SETTINGS: 'cs-settings', // {} -> {language, enabled}
  STATUS: 'ui-status',     // {host?} -> status
  SET_SITE: 'ui-set-site', // {host, enabled}
  QUEUE: 'ui-queue',       // {} -> {entries}
  LOGIN: 'ui-login',       // {username, password} -> status | {error}
  LOGOUT: 'ui-logout',     // {} -> status
  SYNC: 'ui-sync',         // {} -> status, after revalidating rules and sending the queue
  FOCUS: 'cs-focus',       // {} a composer got focus: revalidate the rules if it has been a while
  STREAM_TOKEN: 'off-token', // {stale} -> {server, token} | {} (from the offscreen stream)
  STREAM_EVENT: 'off-event', // {name, data} an event from the server's stream
  STREAM_IDLE: 'off-idle',   // {} the stream has no session to use
  SETTINGS_CHANGED: 'bg-settings-changed', // to content scripts: ask cs-settings again
  RULES_CHANGED: 'bg-rules-changed',       // to content scripts: new rules or crisis state, check again
  // Journalføring (background/journal.js); sent only when the writer asks.
  JOURNAL_SAVE: 'cs-journal-save',         // {item} -> {id, comments, added?, existing?} | {error}
  JOURNAL_COMMENTS: 'cs-journal-comments', // {id, url, comments} -> {id, added, comments} | {error}
  JOURNAL_KNOWN: 'cs-journal-known',       // {urls} -> {items: [{url, id, title, deadline}]}
});

/**
 * Who may send a message, by its prefix: any context of this extension
 * (content scripts included), the extension's own pages, or the offscreen
 * document. A message name with another prefix is refused.
 */
export const TIER = Object.freeze({
  cs: 'extension',
  ui: 'page',
  off: 'offscreen',
});

/** Error codes of every {error: {code, message}} answer. */
export const ERR = Object.freeze({
  INVALID: 'EINVALID',         // the message lacks a field or has one of the wrong type
  FORBIDDEN: 'EFORBIDDEN',     // the sender may not send this message
  NO_SERVER: 'ENOSERVER',      // no server address is set
  NETWORK: 'ENETWORK',         // the server could not be reached
  INTERNAL: 'EINTERNAL',       // a bug or an unexpected failure in the worker
  UNAVAILABLE: 'EUNAVAILABLE', // the worker could not be reached (content scripts)
});

/**
 * An error answer.
 * @param {string} code one of ERR
 * @param {string} message
 * @param {Record<string, any>} [extra]
 */
export function fail(code, message, extra) {
  return { error: { code, message, ...extra } };
}

/**
 * Tiny shape check: every key of spec must be present with the given typeof.
 * @param {any} msg
 * @param {Record<string, string>} spec
 */
export function hasShape(msg, spec) {
  if (!msg || typeof msg !== 'object') return false;
  for (const [k, type] of Object.entries(spec)) {
    if (typeof msg[k] !== type) return false;
  }
  return true;
}

/**
 * Whether sender may send a message named type, by the tier of its
 * prefix. base is chrome.runtime.getURL('') and id chrome.runtime.id.
 * @param {string} type
 * @param {{id?: string, url?: string}} sender
 * @param {string} id
 * @param {string} base
 */
export function senderAllowed(type, sender, id, base) {
  const tier = /** @type {Record<string, string>} */ (TIER)[String(type).split('-')[0]];
  if (!tier || !sender || sender.id !== id) return false;
  if (tier === 'extension') return true;
  const url = typeof sender.url === 'string' ? sender.url : '';
  if (tier === 'page') return url.startsWith(`${base}pages/`);
  if (tier === 'offscreen') return url.startsWith(`${base}offscreen/`);
  return false;
}
