// @ts-check
import { t } from '../lib/i18n.js';
import { settings, saveSettings } from '../lib/ext.js';

const $ = (/** @type {string} */ id) => /** @type {HTMLInputElement} */ (document.getElementById(id));
const FIELDS = ['serverUrl', 'language', 'user', 'unit'];

async function show() {
  const s = await settings();
  const lang = s.language || 'nb';
  document.documentElement.lang = lang;
  for (const [id, key] of [['l-server', 'server'], ['l-language', 'language'], ['l-user', 'user'], ['l-unit', 'unit'], ['save', 'save']]) {
    $(id).textContent = t(lang, key);
  }
  for (const f of FIELDS) {
    $(f).value = s[f] || '';
    $(f).disabled = s.managed.includes(f);
    $(f).title = s.managed.includes(f) ? t(lang, 'managed') : '';
  }
}

$('form').addEventListener('submit', async (e) => {
  e.preventDefault();
  /** @type {Record<string, string>} */
  const patch = {};
  for (const f of FIELDS) if (!$(f).disabled) patch[f] = $(f).value.trim();
  if (patch.serverUrl && !/^https?:\/\//.test(patch.serverUrl)) {
    $('serverUrl').setCustomValidity('https://…');
    $('serverUrl').reportValidity();
    return;
  }
  $('serverUrl').setCustomValidity('');
  await saveSettings(patch);
  await show();
  $('saved').textContent = t(patch.language || 'nb', 'saved');
});
show();
