// @ts-check
// The toolbar popup: whether the checker runs, the rules version, the audit
// queue, the last sync, the sign-in to the organisation's server, and the
// on/off switch for the current site. The password goes to the worker once
// and is never stored.
import { t } from '../lib/i18n.js';
import { MSG, ERR } from '../lib/messages.js';

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));

async function currentHost() {
  try {
    const [tab] = await chrome.tabs.query({ active: true, currentWindow: true });
    return tab && tab.url ? new URL(tab.url).host : '';
  } catch {
    return '';
  }
}

/**
 * @param {string} lang
 * @param {number} ms
 */
function when(lang, ms) {
  if (!ms) return t(lang, 'never');
  const d = new Date(ms);
  const loc = lang === 'en' ? 'en-GB' : 'nb-NO';
  const sameDay = new Date().toDateString() === d.toDateString();
  return sameDay ? d.toLocaleTimeString(loc, { hour: '2-digit', minute: '2-digit', second: '2-digit' })
    : d.toLocaleString(loc, { dateStyle: 'short', timeStyle: 'short' });
}

/**
 * The one problem worth showing, most serious first.
 * @param {string} lang
 * @param {any} s status
 */
function problem(lang, s) {
  const sync = s.sync || {};
  // A log that does not extend what this browser saw is the most serious.
  if (s.logAlarm) return t(lang, 'logInconsistent');
  if (s.expired) return t(lang, 'sessionExpired');
  if (sync.error === 'invalid') return sync.errorVersion ? `${t(lang, 'bundleRefused')} (${sync.errorVersion}).` : `${t(lang, 'bundleRefused')}.`;
  if (s.dropped) return t(lang, 'droppedEntries').replace('{n}', String(s.dropped));
  if (s.othersWaiting) return t(lang, 'othersWaiting').replace('{n}', String(s.othersWaiting));
  if (!s.signedIn) return '';
  if (sync.error === 'network' || sync.auditError === 'network') return t(lang, 'serverUnreachable');
  if (sync.error === 'server' || sync.auditError === 'server') return t(lang, 'serverError');
  return '';
}

/** @param {string} lang @param {any} err */
function loginError(lang, err) {
  if (err.code === 'EUNAUTHORIZED') return t(lang, 'wrongPassword');
  if (err.code === 'ETOOMANY') return t(lang, 'tooManyAttempts');
  if (err.code === ERR.NETWORK) return t(lang, 'serverUnreachable');
  if (err.code === ERR.NO_SERVER) return t(lang, 'noServer');
  return `${t(lang, 'serverError')}: ${err.message}`;
}

let host = '';

/** @param {any} [s] a status, if the caller has one */
async function show(s) {
  if (!s) s = await chrome.runtime.sendMessage({ type: MSG.STATUS, host });
  const lang = s.language || 'nb';
  document.documentElement.lang = lang;
  $('status').textContent = s.ready ? t(lang, 'statusReady') : t(lang, 'statusStarting');
  $('l-version').textContent = t(lang, 'rulesVersion');
  $('version').textContent = s.bundle;
  $('l-queue').textContent = t(lang, 'queue');
  $('queue').textContent = String(s.queue);
  $('l-sync').textContent = t(lang, 'lastSync');
  $('sync').textContent = s.signedIn ? when(lang, (s.sync || {}).at) : '–';
  const p = problem(lang, s);
  $('problem').textContent = p;
  $('problem').hidden = !p;
  // The technical reason, for whoever helps the writer.
  $('problem').title = s.logAlarm ? (s.logAlarm.message || '') : (s.sync || {}).error === 'invalid' ? (s.sync.errorDetail || '') : '';

  const server = s.server || s.serverUrl;
  if (!server) {
    $('who').textContent = t(lang, 'noServer');
  } else if (s.signedIn) {
    $('who').textContent = t(lang, 'signedInAs').replace('{user}', s.user).replace('{server}', server);
  } else {
    $('who').textContent = t(lang, 'notSignedIn').replace('{server}', server);
  }
  $('login').hidden = !s.serverUrl || s.signedIn;
  $('signed-in').hidden = !s.signedIn;
  $('l-username').textContent = t(lang, 'user');
  $('l-password').textContent = t(lang, 'password');
  $('login-button').textContent = t(lang, 'signIn');
  $('logout').textContent = t(lang, 'signOut');
  $('sync-now').textContent = t(lang, 'syncNow');
  if (s.expired && s.user && !(/** @type {HTMLInputElement} */ ($('username')).value)) {
    /** @type {HTMLInputElement} */ ($('username')).value = s.user;
  }
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

$('login').addEventListener('submit', async (e) => {
  e.preventDefault();
  const user = /** @type {HTMLInputElement} */ ($('username'));
  const pass = /** @type {HTMLInputElement} */ ($('password'));
  const button = /** @type {HTMLButtonElement} */ ($('login-button'));
  button.disabled = true;
  $('login-error').textContent = '';
  try {
    const r = await chrome.runtime.sendMessage({ type: MSG.LOGIN, username: user.value.trim(), password: pass.value, host });
    const lang = document.documentElement.lang || 'nb';
    if (r && r.error) {
      $('login-error').textContent = loginError(lang, r.error);
      pass.select();
      return;
    }
    pass.value = '';
    await show(r);
    $('logout').focus();
  } finally {
    button.disabled = false;
  }
});

$('logout').addEventListener('click', async () => {
  await show(await chrome.runtime.sendMessage({ type: MSG.LOGOUT, host }));
  $('username').focus();
});

$('sync-now').addEventListener('click', async () => {
  const b = /** @type {HTMLButtonElement} */ ($('sync-now'));
  b.disabled = true;
  try {
    await show(await chrome.runtime.sendMessage({ type: MSG.SYNC, host }));
  } finally {
    b.disabled = false;
  }
});

(async () => {
  host = new URLSearchParams(location.search).get('host') || (await currentHost());
  await show();
})();
