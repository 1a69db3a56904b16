// @ts-check
import { t } from '../lib/i18n.js';
import { settings, saveSettings } from '../lib/ext.js';

const $ = (/** @type {string} */ id) => /** @type {HTMLInputElement} */ (document.getElementById(id));
const FIELDS = ['serverUrl', 'language', 'user', 'unit'];
const SITE_RE = /^https?:\/\/(\*\.)?[a-z0-9.-]+(:\d+)?\/.*$/i;

async function show() {
  const s = await settings();
  const lang = s.language || 'nb';
  document.documentElement.lang = lang;
  for (const [id, key] of [['l-server', 'server'], ['l-language', 'language'], ['l-user', 'user'], ['l-unit', 'unit'], ['l-sites', 'sites'], ['save', 'save']]) {
    $(id).textContent = t(lang, key);
  }
  for (const f of FIELDS) {
    $(f).value = s[f] || '';
    $(f).disabled = s.managed.includes(f);
    $(f).title = s.managed.includes(f) ? t(lang, 'managed') : '';
  }
  $('sites').value = (s.sites || []).join('\n');
  $('sites').disabled = s.managed.includes('sites');
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
  await show();
  $('saved').textContent = t(patch.language || 'nb', 'saved');
});
show();
