// @ts-check
import { t } from '../lib/i18n.js';
import { settings, saveSettings } from '../lib/ext.js';
import { sitePattern, saveWithSites } from '../lib/sites.js';

const $ = (/** @type {string} */ id) => /** @type {HTMLInputElement} */ (document.getElementById(id));
const FIELDS = ['serverUrl', 'language', 'user', 'unit'];

// Fields the writer has typed in since the settings were last shown: the
// settings load asynchronously, and must not overwrite what was typed in
// the meantime (seen as a lost server address when typing at once).
const dirty = new Set();
for (const f of [...FIELDS, 'sites']) $(f).addEventListener('input', () => dirty.add(f));

/** The settings as last shown: the sites saved before (their permission was granted). */
let current = { sites: /** @type {string[]} */ ([]), language: 'nb' };

async function show() {
  const s = await settings();
  current = s;
  const lang = s.language || 'nb';
  document.documentElement.lang = lang;
  for (const [id, key] of [['l-server', 'server'], ['l-language', 'language'], ['l-user', 'user'], ['l-unit', 'unit'],
    ['l-sites', 'sites'], ['save', 'save'], ['l-page', 'addPage'], ['addPage', 'addPageButton']]) {
    $(id).textContent = t(lang, key);
  }
  for (const f of FIELDS) {
    if (!dirty.has(f)) $(f).value = s[f] || '';
    $(f).disabled = s.managed.includes(f);
    $(f).title = s.managed.includes(f) ? t(lang, 'managed') : '';
  }
  if (!dirty.has('sites')) $('sites').value = (s.sites || []).join('\n');
  $('sites').disabled = s.managed.includes('sites');
  $('page').disabled = $('addPage').disabled = s.managed.includes('sites');
  document.body.dataset.ready = '1';
}

const say = (/** @type {string} */ id, /** @type {string} */ text) => { $(id).textContent = text; };

/**
 * Saves the form, with extraSites added to its list of sites. Everything
 * before the permission request is synchronous: the click is the gesture
 * the browser asks for.
 * @param {string[]} extraSites
 * @returns {Promise<{refused: string[]} | null>} null when the form is invalid
 */
function save(extraSites) {
  say('saved', '');
  say('problem', '');
  /** @type {Record<string, any>} */
  const patch = {};
  for (const f of FIELDS) if (!$(f).disabled) patch[f] = $(f).value.trim();
  if (patch.serverUrl && !/^https?:\/\//.test(patch.serverUrl)) {
    $('serverUrl').setCustomValidity('https://…');
    $('serverUrl').reportValidity();
    return Promise.resolve(null);
  }
  $('serverUrl').setCustomValidity('');
  /** @type {string[] | null} */
  let sites = null;
  if (!$('sites').disabled) {
    sites = [];
    for (const line of [...$('sites').value.split('\n'), ...extraSites].map((l) => l.trim()).filter(Boolean)) {
      const p = sitePattern(line);
      if ('error' in p) {
        $('sites').setCustomValidity(`${line}: https://nettsted/*`);
        $('sites').reportValidity();
        return Promise.resolve(null);
      }
      if (!sites.includes(p.pattern)) sites.push(p.pattern);
    }
    $('sites').setCustomValidity('');
  }
  return saveWithSites({
    patch, sites, previous: current.sites || [],
    request: (origins) => chrome.permissions.request({ origins }),
    save: saveSettings,
  });
}

/** Shows what a save did: saved, or which sites the browser refused. */
async function report(/** @type {{refused: string[]} | null} */ r, /** @type {string} */ added) {
  if (!r) return;
  dirty.clear();
  await show();
  const lang = current.language || 'nb';
  if (r.refused.length) {
    say('problem', t(lang, 'permissionRefused').replace('{site}', r.refused.join(', ')));
    return;
  }
  say('saved', added ? t(lang, 'pageAdded').replace('{site}', added) : t(lang, 'saved'));
}

$('form').addEventListener('submit', (e) => {
  e.preventDefault();
  save([]).then((r) => report(r, ''));
});

$('addPage').addEventListener('click', () => {
  const p = sitePattern($('page').value);
  if ('error' in p) {
    $('page').setCustomValidity(t(current.language || 'nb', 'pageInvalid'));
    $('page').reportValidity();
    return;
  }
  $('page').setCustomValidity('');
  save([p.pattern]).then((r) => {
    if (r && !r.refused.length) $('page').value = '';
    return report(r, p.pattern);
  });
});
show();
