// @ts-check
import { t } from '../lib/i18n.js';
import { MSG } from '../lib/messages.js';

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));

async function currentHost() {
  try {
    const [tab] = await chrome.tabs.query({ active: true, currentWindow: true });
    return tab && tab.url ? new URL(tab.url).host : '';
  } catch {
    return '';
  }
}

async function show() {
  const host = new URLSearchParams(location.search).get('host') || (await currentHost());
  const s = await chrome.runtime.sendMessage({ type: MSG.STATUS, host });
  const lang = s.language || 'nb';
  document.documentElement.lang = lang;
  $('status').textContent = s.ready ? t(lang, 'statusReady') : t(lang, 'statusStarting');
  $('l-version').textContent = t(lang, 'rulesVersion');
  $('version').textContent = s.bundle;
  $('server').textContent = s.serverUrl ? `${t(lang, 'server')}: ${s.serverUrl}` : t(lang, 'noServer');
  $('l-queue').textContent = t(lang, 'queue');
  $('queue').textContent = String(s.queue);
  $('options').textContent = t(lang, 'options');
  const toggle = /** @type {HTMLButtonElement} */ ($('toggle'));
  if (!host) {
    $('site').textContent = '';
    toggle.hidden = true;
    return;
  }
  $('site').textContent = `${s.siteEnabled ? t(lang, 'siteOn') : t(lang, 'siteOff')}: ${host}`;
  toggle.textContent = s.siteEnabled ? t(lang, 'turnOff') : t(lang, 'turnOn');
  toggle.hidden = false;
  toggle.onclick = async () => {
    await chrome.runtime.sendMessage({ type: MSG.SET_SITE, host, enabled: !s.siteEnabled });
    show();
  };
}
show();
