// @ts-check
import { t } from '../lib/i18n.js';
import { settings, saveSettings } from '../lib/ext.js';

const $ = (/** @type {string} */ id) => /** @type {HTMLInputElement} */ (document.getElementById(id));
const FIELDS = ['serverUrl', 'language', 'user', 'unit'];
const SITE_RE = /^https?:\/\/(\*\.)?[a-z0-9.-]+(:\d+)?\/.*$/i;

// Fields the writer has typed in since the settings were last shown: the
// settings load asynchronously, and must not overwrite what was typed in
// the meantime (seen as a lost server address when typing at once).
const dirty = new Set();
for (const f of [...FIELDS, 'sites']) $(f).addEventListener('input', () => dirty.add(f));

async function show() {
  const s = await settings();
  const lang = s.language || 'nb';
  document.documentElement.lang = lang;
  for (const [id, key] of [['l-server', 'server'], ['l-language', 'language'], ['l-user', 'user'], ['l-unit', 'unit'], ['l-sites', 'sites'], ['save', 'save']]) {
    $(id).textContent = t(lang, key);
  }
  for (const f of FIELDS) {
    if (!dirty.has(f)) $(f).value = s[f] || '';
    $(f).disabled = s.managed.includes(f);
    $(f).title = s.managed.includes(f) ? t(lang, 'managed') : '';
  }
  if (!dirty.has('sites')) $('sites').value = (s.sites || []).join('\n');
  $('sites').disabled = s.managed.includes('sites');
  document.body.dataset.ready = '1';
}

$('form').addEventListener('submit', async (e) => {
  e.preventDefault();
  /** @type {Record<string, any>} */
  const patch = {};
  for (const f of FIELDS) if (!$(f).disabled) patch[f] = $(f).value.trim();
  if (patch.serverUrl && !/^https?:\/\//.test(patch.serverUrl)) {
    $('serverUrl').setCustomValidity('https://…');
    $('serverUrl').reportValidity();
    return;
  }
  $('serverUrl').setCustomValidity('');
  if (!$('sites').disabled) {
    const sites = $('sites').value.split('\n').map((l) => l.trim()).filter(Boolean);
    const bad = sites.find((x) => !SITE_RE.test(x));
    if (bad) {
      $('sites').setCustomValidity(`${bad}: https://nettsted/*`);
      $('sites').reportValidity();
      return;
    }
    $('sites').setCustomValidity('');
    // The content script may only run on an added site after the writer
    // grants it; the click on Save is the gesture the request needs.
    if (sites.length && !(await chrome.permissions.request({ origins: sites }))) return;
    patch.sites = sites;
  }
  await saveSettings(patch);
  dirty.clear();
  await show();
  $('saved').textContent = t(patch.language || 'nb', 'saved');
});
show();
