// @ts-check
// The API client (lib/client.js) against a scripted fetch: sign-in, the
// refresh a minute before expiry, one refresh for concurrent callers (the
// server revokes a session whose refresh token is reused), an expired
// session, and garbage answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, AuthRequired, HTTPError, NetworkError, serverOrigin } from '../../lib/client.js';

/** A fake server: routes by "METHOD path", records every call. */
function fake(routes) {
  const calls = [];
  const fetch = async (url, init = {}) => {
    const u = new URL(url);
    const key = `${init.method || 'GET'} ${u.pathname}`;
    calls.push({ key, auth: init.headers?.Authorization || '', body: init.body ? JSON.parse(init.body) : null });
    const h = routes[key];
    if (!h) return new Response('{"error":{"code":"ENOTFOUND","message":"no route"}}', { status: 404 });
    return h(init);
  };
  return { fetch, calls };
}

const json = (status, body) => new Response(typeof body === 'string' ? body : JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
const tokens = (n) => ({ access_token: `a${n}`, refresh_token: `r${n}`, expires_in: 900, roles: ['staff'], user: 'kari', unit: 'oppvekst' });

function client(routes, now = { t: 1_000_000 }) {
  let saved;
  const f = fake(routes);
  const c = new Client({ fetch: f.fetch, load: async () => saved, save: async (a) => { saved = a; }, now: () => now.t });
  return { c, calls: f.calls, now, get saved() { return saved; } };
}

test('serverOrigin keeps only http(s) origins', () => {
  assert.equal(serverOrigin('https://postvakt.kommune.no/admin?x=1'), 'https://postvakt.kommune.no');
  assert.equal(serverOrigin(' http://127.0.0.1:8080 '), 'http://127.0.0.1:8080');
  assert.equal(serverOrigin('javascript:alert(1)'), '');
  assert.equal(serverOrigin(''), '');
});

test('sign in, use the token, refresh a minute before expiry', async () => {
  let n = 0;
  const env = client({
    'POST /api/v1/auth/login': () => json(200, tokens(++n)),
    'POST /api/v1/auth/refresh': () => json(200, tokens(++n)),
    'GET /api/v1/bundle': () => json(200, {}),
  });
  const a = await env.c.login('https://pv.example/', 'kari', 'hemmelig');
  assert.equal(a.server, 'https://pv.example');
  assert.equal(a.user, 'kari');
  assert.ok(!JSON.stringify(env.saved).includes('hemmelig'), 'the password is never stored');
  await env.c.request('/api/v1/bundle');
  assert.equal(env.calls.at(-1).auth, 'Bearer a1');
  env.now.t += 850_000; // 50 s before expiry
  await env.c.request('/api/v1/bundle');
  assert.deepEqual(env.calls.map((c) => c.key).slice(-2), ['POST /api/v1/auth/refresh', 'GET /api/v1/bundle']);
  assert.equal(env.calls.at(-2).body.refresh_token, 'r1');
  assert.equal(env.calls.at(-1).auth, 'Bearer a2');
  assert.equal(env.saved.refresh, 'r2');
});

test('concurrent requests share one refresh', async () => {
  let refreshes = 0;
  const env = client({
    'POST /api/v1/auth/login': () => json(200, tokens(1)),
    'POST /api/v1/auth/refresh': async () => { refreshes++; await new Promise((r) => setTimeout(r, 20)); return json(200, tokens(2)); },
    'GET /api/v1/bundle': () => json(200, {}),
  });
  await env.c.login('https://pv.example', 'kari', 'x');
  env.now.t += 10_000_000;
  await Promise.all([1, 2, 3, 4].map(() => env.c.request('/api/v1/bundle')));
  assert.equal(refreshes, 1);
});

test('a refused refresh marks the session expired and keeps who and where', async () => {
  const env = client({
    'POST /api/v1/auth/login': () => json(200, tokens(1)),
    'POST /api/v1/auth/refresh': () => json(401, { error: { code: 'EUNAUTHORIZED', message: 'expired' } }),
    'GET /api/v1/bundle': () => json(401, { error: { code: 'EUNAUTHORIZED', message: 'expired' } }),
  });
  await env.c.login('https://pv.example', 'kari', 'x');
  await assert.rejects(env.c.request('/api/v1/bundle'), AuthRequired);
  assert.equal(env.saved.expired, true);
  assert.equal(env.saved.user, 'kari');
  assert.equal(env.saved.refresh, '');
  const before = env.calls.length;
  await assert.rejects(env.c.request('/api/v1/bundle'), AuthRequired);
  assert.equal(env.calls.length, before, 'an expired session sends nothing');
});

test('errors: wrong password, garbage, a network that drops', async () => {
  const env = client({
    'POST /api/v1/auth/login': (init) => JSON.parse(init.body).password === 'feil'
      ? json(401, { error: { code: 'EUNAUTHORIZED', message: 'wrong' } })
      : json(200, '<html>proxy error</html>'),
  });
  await assert.rejects(env.c.login('https://pv.example', 'kari', 'feil'), (e) => e instanceof HTTPError && e.code === 'EUNAUTHORIZED');
  await assert.rejects(env.c.login('https://pv.example', 'kari', 'x'), (e) => e instanceof HTTPError && e.code === 'EBADRESPONSE');
  assert.equal(env.saved, undefined);
  const down = new Client({ fetch: async () => { throw new TypeError('Failed to fetch'); }, load: async () => undefined, save: async () => {} });
  await assert.rejects(down.login('https://pv.example', 'kari', 'x'), NetworkError);
  await assert.rejects(down.login('not a url', 'kari', 'x'), (e) => e instanceof HTTPError && e.code === 'ENOSERVER');
});

test('logout clears the session even when the server is down', async () => {
  let saved = { server: 'https://pv.example', refresh: 'r1', access: 'a1', accessExp: 0, user: 'kari' };
  const c = new Client({ fetch: async () => { throw new TypeError('offline'); }, load: async () => saved, save: async (a) => { saved = a; } });
  await c.logout();
  assert.equal(saved, undefined);
});
