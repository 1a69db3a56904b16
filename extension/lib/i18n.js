// @ts-check
// User-facing strings of the extension pages in bokmål (default), nynorsk
// and English. The content script carries the strings it needs itself
// (content scripts cannot import modules); tests/unit checks that every
// language has every key, here and there.

/** @type {Record<string, Record<string, string>>} */
export const STRINGS = {
  nb: {
    statusReady: 'Sjekken er klar',
    statusStarting: 'Starter sjekken …',
    rulesVersion: 'Regelversjon',
    queue: 'Revisjonsoppføringer i kø',
    siteOn: 'Postvakt er på for dette nettstedet',
    siteOff: 'Postvakt er av for dette nettstedet',
    turnOn: 'Slå på',
    turnOff: 'Slå av',
    options: 'Innstillinger',
    server: 'Serveradresse',
    language: 'Språk',
    user: 'Brukernavn',
    unit: 'Enhet',
    save: 'Lagre',
    saved: 'Lagret',
    managed: 'Satt av IT (policy)',
    sites: 'Andre nettsteder der Postvakt skal sjekke (ett mønster per linje)',
    noServer: 'Ingen server: bruker de innebygde reglene',
  },
  nn: {
    statusReady: 'Sjekken er klar',
    statusStarting: 'Startar sjekken …',
    rulesVersion: 'Regelversjon',
    queue: 'Revisjonsoppføringar i kø',
    siteOn: 'Postvakt er på for denne nettstaden',
    siteOff: 'Postvakt er av for denne nettstaden',
    turnOn: 'Slå på',
    turnOff: 'Slå av',
    options: 'Innstillingar',
    server: 'Serveradresse',
    language: 'Språk',
    user: 'Brukarnamn',
    unit: 'Eining',
    save: 'Lagre',
    saved: 'Lagra',
    managed: 'Sett av IT (policy)',
    sites: 'Andre nettstader der Postvakt skal sjekke (eitt mønster per linje)',
    noServer: 'Ingen server: bruker dei innebygde reglane',
  },
  en: {
    statusReady: 'The checker is ready',
    statusStarting: 'Starting the checker …',
    rulesVersion: 'Rules version',
    queue: 'Audit entries queued',
    siteOn: 'Postvakt is on for this site',
    siteOff: 'Postvakt is off for this site',
    turnOn: 'Turn on',
    turnOff: 'Turn off',
    options: 'Settings',
    server: 'Server address',
    language: 'Language',
    user: 'User name',
    unit: 'Unit',
    save: 'Save',
    saved: 'Saved',
    managed: 'Set by IT (policy)',
    sites: 'Other sites where Postvakt checks (one pattern per line)',
    noServer: 'No server: using the built-in rules',
  },
};

/**
 * @param {string} lang
 * @param {string} key
 */
export function t(lang, key) {
  return (STRINGS[lang] && STRINGS[lang][key]) || STRINGS.nb[key] || key;
}
