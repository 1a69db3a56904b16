// @ts-check
// Builds audit entries (mirrors shared/audit.Entry) from a report. Pure:
// no chrome.* calls, unit-tested in Node. An entry never holds the draft
// text: only the masked excerpt of each finding and a SHA-256 of the
// normalised text.

/**
 * @typedef {{rule: string, severity: string, excerpt?: string}} EntryFinding
 * @typedef {{id: string, user: string, unit?: string, platform: string, host?: string, kind?: string,
 *   at: string, bundle: string, action: string, findings: EntryFinding[], reason?: string,
 *   archive: boolean, text_sha256?: string, dropped?: number}} Entry  Mirrors shared/audit.Entry.
 */

export const ACTIONS = ['published', 'cancelled', 'overridden', 'blocked'];
export const DROPPED = 'dropped';
const PLATFORMS = ['facebook', 'instagram', 'linkedin', 'x', 'youtube', 'tiktok', 'other'];
export const MAX_REASON = 2000;

/**
 * @param {{id: string, now: Date, settings: {user: string, unit: string}, draft: any, report: any,
 *   action: string, reason?: string, host?: string, textSha256?: string}} p
 * @returns {Entry}
 */
export function buildEntry(p) {
  if (!ACTIONS.includes(p.action)) throw new Error(`unknown action ${p.action}`);
  const findings = (p.report?.findings || []).slice(0, 200).map((f) => {
    /** @type {EntryFinding} */
    const e = { rule: String(f.rule), severity: String(f.severity) };
    if (f.excerpt) e.excerpt = String(f.excerpt).slice(0, 200);
    return e;
  });
  /** @type {Entry} */
  const entry = {
    id: p.id,
    user: p.settings.user || '',
    platform: PLATFORMS.includes(p.draft?.platform) ? p.draft.platform : 'other',
    kind: p.draft?.kind || 'post',
    at: p.now.toISOString(),
    bundle: String(p.report?.bundle || ''),
    action: p.action,
    findings,
    archive: !!p.report?.archive,
  };
  if (p.settings.unit) entry.unit = p.settings.unit;
  if (p.host) entry.host = p.host.slice(0, 200);
  if (p.reason) entry.reason = String(p.reason).slice(0, MAX_REASON);
  if (p.textSha256) entry.text_sha256 = p.textSha256;
  return entry;
}

/**
 * The entry that tells compliance how many entries a full queue discarded
 * unsent: no findings, no text, only the count.
 * @param {{id: string, now: Date, settings: {user: string, unit: string}, count: number, bundle: string}} p
 * @returns {Entry}
 */
export function dropReport(p) {
  /** @type {Entry} */
  const entry = {
    id: p.id, user: p.settings.user || '', platform: 'other', kind: 'post', at: p.now.toISOString(),
    bundle: p.bundle || '', action: DROPPED, findings: [], archive: false, dropped: p.count,
  };
  if (p.settings.unit) entry.unit = p.settings.unit;
  return entry;
}
