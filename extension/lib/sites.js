// @ts-check
// Extra sites where the content scripts run: the match patterns the
// options page keeps, made from what a writer types (a page's address or a
// pattern), and how they are saved. Pure functions; the caller passes the
// browser's permission request and the settings store.

const PATTERN = /^(https?):\/\/(\*\.)?([a-z0-9.-]+|\[[0-9a-f:]+\])(:\d+)?\/.*$/i;

/**
 * The match pattern for a page address or a pattern: every page of its
 * origin. «http://localhost:8000/utkast.html» → «http://localhost:8000/*».
 * @param {string} input
 * @returns {{pattern: string} | {error: string}}
 */
export function sitePattern(input) {
  const s = String(input || '').trim();
  if (!s) return { error: 'empty' };
  if (PATTERN.test(s) && s.includes('*')) return { pattern: s };
  let url;
  try {
    url = new URL(s.includes('://') ? s : `https://${s}`);
  } catch {
    return { error: 'invalid' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { error: 'scheme' };
  return { pattern: `${url.protocol}//${url.host}/*` };
}

/**
 * Saves settings with a list of sites. The permission for sites not
 * granted before is asked for at once (before the first await, so the
 * click that called this is still the gesture the browser wants); the
 * other settings are saved whatever the answer, and a refused site is
 * left out rather than failing the save.
 * @param {{patch: Record<string, any>, sites: string[] | null, previous: string[],
 *   request: (origins: string[]) => Promise<boolean>, save: (patch: Record<string, any>) => Promise<void>}} o
 *   sites null: the sites are not the writer's to change (set by policy).
 * @returns {Promise<{refused: string[]}>}
 */
export async function saveWithSites({ patch, sites, previous, request, save }) {
  const asked = sites ? sites.filter((s) => !previous.includes(s)) : [];
  /** @type {Promise<boolean>} */
  let answer = Promise.resolve(true);
  if (asked.length) {
    try {
      answer = Promise.resolve(request(asked)).catch(() => false);
    } catch {
      answer = Promise.resolve(false);
    }
  }
  // Saved before the answer: a prompt left open or refused loses nothing.
  const kept = sites ? sites.filter((s) => previous.includes(s)) : null;
  await save(kept ? { ...patch, sites: kept } : patch);
  if (!asked.length) return { refused: [] };
  if (!(await answer)) return { refused: asked };
  await save({ sites });
  return { refused: [] };
}
