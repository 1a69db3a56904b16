// @ts-check
// The JSON contract between the extension and the Go checker (wasm) and
// server. Each typedef mirrors a Go type; tests/unit/contract.test.mjs
// reads the Go structs' json tags and fails when the two sides drift.
//
// Offsets (Finding.start, Finding.end) are UTF-16 code units of
// Draft.text, which is what String.prototype.slice, Range and selections
// use: the Go side converts from byte offsets (shared/engine), so the
// extension never converts.

/**
 * Mirrors shared/draft.Image.
 * @typedef {{alt: string, persons: 'none'|'adults'|'minors'|'unknown', consent: 'none'|'given'|'guardian_written'}} Image
 */

/**
 * Mirrors shared/draft.Draft. Only id and text are required.
 * @typedef {{id: string, text: string, platform?: string, kind?: 'post'|'reply'|'message', images?: Image[],
 *   at?: string, user?: string, unit?: string}} Draft
 */

/**
 * Mirrors shared/draft.Finding. start/end are -1 for a finding about the
 * whole draft; image is the index of the image it is about, else -1.
 * excerpt is the masked fragment, the only part of the text an audit entry keeps.
 * why says which words made it a finding (it quotes the draft, so it is only shown, never sent).
 * @typedef {{rule: string, category: string, severity: 'info'|'warn'|'block', start: number, end: number,
 *   image: number, message: string, suggestion: string, excerpt?: string, why?: string}} Finding
 */

/**
 * Mirrors shared/draft.Report.
 * @typedef {{id: string, verdict: 'ok'|'warn'|'block', bundle: string, archive: boolean, findings: Finding[]}} Report
 */

/**
 * Mirrors the options of wasm/api (engine.Options with the host's clock).
 * @typedef {{lang?: 'nb'|'nn'|'en', now?: string, crisis?: {active: boolean, message: string, team: string[]} | null}} CheckOptions
 */

/**
 * What every wasm function answers instead of throwing (wasm/api).
 * @typedef {{error: {code: string, message: string, details?: any}}} ErrorAnswer
 */

/** JSON field names of each mirrored Go type, checked against the Go source by the unit tests. */
export const FIELDS = Object.freeze({
  'shared/draft.Image': ['alt', 'persons', 'consent'],
  'shared/draft.Draft': ['id', 'text', 'platform', 'kind', 'images', 'at', 'user', 'unit'],
  'shared/draft.Finding': ['rule', 'category', 'severity', 'start', 'end', 'image', 'message', 'suggestion', 'excerpt', 'why'],
  'shared/draft.Report': ['id', 'verdict', 'bundle', 'archive', 'findings'],
  'shared/audit.Finding': ['rule', 'severity', 'excerpt'],
  'shared/audit.Entry': ['id', 'user', 'unit', 'platform', 'host', 'kind', 'at', 'bundle', 'action', 'findings',
    'reason', 'archive', 'text_sha256', 'dropped', 'before'],
});

/**
 * The text of a finding's span; '' for a finding about the whole draft.
 * @param {string} text
 * @param {Finding} f
 */
export function spanText(text, f) {
  return f.start < 0 ? '' : text.slice(f.start, f.end);
}
