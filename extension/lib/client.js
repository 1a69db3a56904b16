// @ts-check
// The client of the Postvakt server's API (/api/v1): sign-in, token
// refresh, and authorised requests. Pure apart from the fetch and the
// record store it is given (lib/queue.js's Store in the worker, a map in
// unit tests).
//
// Tokens: the access token is short-lived (15 min by default) and renewed
// with the refresh token a minute before it expires. The server rotates
// refresh tokens and treats a reused one as theft, so refreshes are
// single-flight: two requests needing a new token share one refresh. When
// the server refuses the refresh the session is marked expired (the user
// is asked to sign in again) but nothing else is lost.

/** Renew the access token this long before it expires. */
import { ERR } from './messages.js';
export const REFRESH_MARGIN_MS = 60_000;
/** A request that has not answered by then counts as a network failure. */
export const TIMEOUT_MS = 15_000;

/**
 * @typedef {{server: string, user: string, unit: string, roles: string[], access: string,
 *   accessExp: number, refresh: string, expired?: boolean, signedInAt: number}} Auth
 */

/** The server could not be reached or did not answer in time. */
export class NetworkError extends Error {
  /** @param {string} message */
  constructor(message) { super(message); this.name = 'NetworkError'; }
}

/** The server answered with an error status. */
export class HTTPError extends Error {
  /**
   * @param {number} status
   * @param {string} code
   * @param {string} message
   */
  constructor(status, code, message) {
    super(message);
    this.name = 'HTTPError';
    this.status = status;
    this.code = code;
  }
}

/** There is no valid session: the user must sign in (again). */
export class AuthRequired extends Error {
  /** @param {string} message */
  constructor(message) { super(message); this.name = 'AuthRequired'; }
}

/**
 * Normalises a server address to its origin: "https://postvakt.kommune.no".
 * @param {string} s
 */
export function serverOrigin(s) {
  let u;
  try {
    u = new URL(String(s || '').trim());
  } catch {
    return '';
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return '';
  return u.origin;
}

/**
 * Reads an error response's {"error": {"code", "message"}}, tolerating
 * anything else (a proxy's HTML page, garbage).
 * @param {Response} res
 */
async function httpError(res) {
  let code = `HTTP${res.status}`;
  let message = `${res.status} ${res.statusText}`.trim();
  try {
    const body = await res.json();
    if (body && body.error && typeof body.error.code === 'string') {
      code = body.error.code;
      message = String(body.error.message || message);
    }
  } catch { /* not JSON */ }
  return new HTTPError(res.status, code, message);
}

export class Client {
  /**
   * @param {{fetch: typeof fetch, load: () => Promise<Auth|undefined>, save: (a: Auth|undefined) => Promise<void>, now?: () => number}} deps
   */
  constructor(deps) {
    this.fetch = deps.fetch;
    this.load = deps.load;
    this.save = deps.save;
    this.now = deps.now || Date.now;
    /** @type {Promise<Auth> | null} */
    this.refreshing = null;
  }

  /**
   * fetch with a timeout; network failures become NetworkError.
   * @param {string} url
   * @param {RequestInit} init
   */
  async send(url, init) {
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), TIMEOUT_MS);
    try {
      return await this.fetch(url, { ...init, signal: ctl.signal, cache: 'no-store', credentials: 'omit' });
    } catch (e) {
      throw new NetworkError(ctl.signal.aborted ? 'the server did not answer in time' : String(/** @type {any} */ (e)?.message || e));
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * @param {any} body the token response
   * @param {string} server
   * @param {Auth} [prev]
   * @returns {Auth}
   */
  authFrom(body, server, prev) {
    if (!body || typeof body.access_token !== 'string' || typeof body.refresh_token !== 'string') {
      throw new HTTPError(502, 'EBADRESPONSE', 'the server sent no tokens');
    }
    const ttl = Number(body.expires_in) > 0 ? Number(body.expires_in) : 300;
    return {
      server,
      user: String(body.user || prev?.user || ''),
      unit: String(body.unit || prev?.unit || ''),
      roles: Array.isArray(body.roles) ? body.roles.map(String) : (prev?.roles || []),
      access: body.access_token,
      accessExp: this.now() + ttl * 1000,
      refresh: body.refresh_token,
      signedInAt: prev?.signedInAt || this.now(),
    };
  }

  /**
   * Signs in; the password is sent once and never kept.
   * @param {string} server
   * @param {string} username
   * @param {string} password
   * @returns {Promise<Auth>}
   */
  async login(server, username, password) {
    const origin = serverOrigin(server);
    if (!origin) throw new HTTPError(0, ERR.NO_SERVER, 'no server address is set');
    const res = await this.send(`${origin}/api/v1/auth/login`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password }),
    });
    if (!res.ok) throw await httpError(res);
    let body;
    try { body = await res.json(); } catch { throw new HTTPError(502, 'EBADRESPONSE', 'the server did not answer with JSON'); }
    const auth = this.authFrom(body, origin);
    await this.save(auth);
    return auth;
  }

  /**
   * The current session with a valid access token, refreshed when it is
   * about to expire.
   * @param {boolean} [force] refresh even if the token looks valid (after a 401)
   * @returns {Promise<Auth>}
   */
  async session(force = false) {
    const auth = await this.load();
    if (!auth || !auth.refresh) throw new AuthRequired('not signed in');
    if (auth.expired) throw new AuthRequired('the session has expired');
    if (!force && auth.accessExp - REFRESH_MARGIN_MS > this.now()) return auth;
    if (!this.refreshing) {
      this.refreshing = this.doRefresh(auth).finally(() => { this.refreshing = null; });
    }
    return this.refreshing;
  }

  /** @param {Auth} auth */
  async doRefresh(auth) {
    const res = await this.send(`${auth.server}/api/v1/auth/refresh`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ refresh_token: auth.refresh }),
    });
    if (res.status === 401 || res.status === 403) {
      // The server no longer knows the session (expired, revoked, or the
      // user was removed): keep who and where, ask to sign in again.
      await this.save({ ...auth, access: '', refresh: '', expired: true });
      throw new AuthRequired('the session has expired');
    }
    if (!res.ok) throw await httpError(res);
    let body;
    try { body = await res.json(); } catch { throw new HTTPError(502, 'EBADRESPONSE', 'the server did not answer with JSON'); }
    const next = this.authFrom(body, auth.server, auth);
    await this.save(next);
    return next;
  }

  /**
   * An authorised request to path (under the server's origin). A 401
   * refreshes the token once and retries.
   * @param {string} path e.g. "/api/v1/bundle"
   * @param {RequestInit & {headers?: Record<string, string>}} [init]
   * @returns {Promise<Response>} any status but 401
   */
  async request(path, init = {}) {
    let auth = await this.session();
    for (let attempt = 0; ; attempt++) {
      const res = await this.send(`${auth.server}${path}`, {
        ...init, headers: { ...(init.headers || {}), Authorization: `Bearer ${auth.access}` },
      });
      if (res.status !== 401) return res;
      if (attempt > 0) throw new AuthRequired('the server refused the renewed token');
      auth = await this.session(true);
    }
  }

  /** Signs out: the server revokes the session; the local record is cleared either way. */
  async logout() {
    const auth = await this.load();
    await this.save(undefined);
    if (!auth || !auth.refresh) return;
    try {
      await this.send(`${auth.server}/api/v1/auth/logout`, {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ refresh_token: auth.refresh }),
      });
    } catch { /* offline: the refresh token expires on its own */ }
  }
}
