// @ts-check
// The message catalogue between content scripts, extension pages and the
// service worker. The prefix names the sender: cs- content script, ui-
// extension page, bg- the service worker. Only ui- messages from the
// extension's own pages may read the queue or change settings.
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
